// PrimeVue's Aura theme, darker where white text sits on colour so every severity passes WCAG AA
// contrast (Aura's 500 shades give 2.5–3.8:1 with white; the 700 shades give 5–6.5:1).
import { definePreset } from "@primeuix/themes";
import Aura from "@primeuix/themes/aura";

type Palette = Record<string, string>;
const primitive = (Aura as { primitive?: Record<string, Palette> }).primitive ?? {};

/** The same hue two steps darker from 400 up (what components use for fills and text). */
function darker(name: string): Palette {
  const p = primitive[name] ?? {};
  return { ...p, 400: p[600] ?? "", 500: p[700] ?? "", 600: p[800] ?? "", 700: p[900] ?? "", 800: p[950] ?? "", 900: p[950] ?? "" };
}

export const WorkHubTheme = definePreset(Aura, {
  primitive: Object.fromEntries(["red", "green", "orange", "sky", "purple", "amber", "yellow"].map((name) => [name, darker(name)])),
  semantic: {
    primary: {
      50: "{emerald.50}",
      100: "{emerald.100}",
      200: "{emerald.200}",
      300: "{emerald.300}",
      400: "{emerald.400}",
      500: "{emerald.500}",
      600: "{emerald.600}",
      700: "{emerald.700}",
      800: "{emerald.800}",
      900: "{emerald.900}",
      950: "{emerald.950}",
    },
    colorScheme: {
      light: {
        primary: { color: "{emerald.700}", contrastColor: "#ffffff", hoverColor: "{emerald.800}", activeColor: "{emerald.900}" },
        // Muted text and secondary buttons use surface 500/600: one step darker keeps them above 4.5:1.
        surface: {
          0: "#ffffff",
          50: "{slate.50}",
          100: "{slate.100}",
          200: "{slate.200}",
          300: "{slate.300}",
          400: "{slate.500}",
          500: "{slate.600}",
          600: "{slate.700}",
          700: "{slate.800}",
          800: "{slate.800}",
          900: "{slate.900}",
          950: "{slate.950}",
        },
        highlight: { background: "{emerald.50}", focusBackground: "{emerald.100}", color: "{emerald.800}", focusColor: "{emerald.900}" },
      },
    },
  },
});
