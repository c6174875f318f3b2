import "primeicons/primeicons.css";
import "./styles.css";

import { createPinia } from "pinia";
import PrimeVue from "primevue/config";
import ConfirmationService from "primevue/confirmationservice";
import ToastService from "primevue/toastservice";
import Tooltip from "primevue/tooltip";
import { createApp } from "vue";

import App from "./App.vue";
import { i18n } from "./i18n";
import { primeLocale } from "./primeLocale";
import { router } from "./router";
import { WorkHubTheme } from "./theme";

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(router);
app.use(PrimeVue, {
  theme: { preset: WorkHubTheme, options: { darkModeSelector: false, cssLayer: false } },
  locale: primeLocale(i18n.global.locale.value),
});
app.use(ToastService);
app.use(ConfirmationService);
app.directive("tooltip", Tooltip);
app.mount("#app");
