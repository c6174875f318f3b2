"""The import rule of WorkHub's modules and plugins, as an import-linter contract type.

One allowlist, derived from the code rather than listed by hand:

- a *module* is a subpackage of the application package (``workhub.tasks``,
  ``workhub.audit``, ``workhub.web``); a *plugin* is the top package of every
  ``workhub.plugins`` entry point installed (added to the graph when
  ``root_packages`` does not name it); the *shared* packages are named (the
  kernel, settings); the other modules at the top of the application package
  are *composition roots* (``app``, ``cli``, ``worker``, ``models``,
  ``demo`` ...), which may import anything: they put a process together;
- a module imports its own code, the shared packages and the public face of
  any other module: its ``events``, ``schemas`` and ``api``; never a plugin;
- a plugin imports its own code, the kernel, and the ``events`` and
  ``schemas`` of modules and other plugins: it acts through the kernel's
  protocols (``runtime.intake``, ``runtime.notifier``), not a module's ``api``;
- neither imports a composition root;
- a shared package imports only shared packages, so the kernel depends on no
  module (directly, and so not indirectly either).

Only direct imports are judged (those inside functions and under
``TYPE_CHECKING`` too): a public face re-exports a module's internals, and
an indirect path through one is what a public face is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

import grimp
from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

__all__ = ("PublicFaceContract",)


@dataclass(frozen=True, order=True)
class Violation:
    """One direct import the rule does not allow, with why."""

    importer: str
    imported: str
    line_numbers: tuple[int, ...]
    reason: str


class PublicFaceContract(Contract):
    """Modules and plugins import each other's public face only; the shared packages import only each other.

    Configuration options:
        - application:    the application package (``workhub``).
        - public:         what a module may import of another module (``events``, ``schemas``, ``api``).
        - plugin_public:  what a plugin may import of a module or another plugin (``events``, ``schemas``).
        - shared:         packages every module may import, which import only each other (``workhub.kernel``).
        - plugin_shared:  those of them a plugin may import (``workhub.kernel``).
        - plugin_group:   the entry point group of plugins (``workhub.plugins``); optional.
        - ignore_imports: import expressions to leave out, as in the built-in contracts; optional.
    """

    type_name = "public_face"

    application = fields.StringField()
    public = fields.SetField(subfield=fields.StringField())
    plugin_public = fields.SetField(subfield=fields.StringField())
    shared = fields.SetField(subfield=fields.StringField())
    plugin_shared = fields.SetField(subfield=fields.StringField())
    plugin_group = fields.StringField(required=False, default="")
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Judge every direct import between parts of the application and its plugins."""
        app = str(self.application)
        shared = frozenset(self._strings("shared"))
        plugin_shared = frozenset(self._strings("plugin_shared"))
        plugins = _plugin_packages(str(self.plugin_group)) - {app}
        missing = sorted(p for p in plugins if p not in graph.modules)
        if missing:
            roots = [str(r) for r in self.session_options["root_packages"]]
            graph = grimp.build_graph(*roots, *missing, cache_dir=None)
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        for name in shared:
            if name not in graph.modules:
                raise ValueError(f"shared package {name!r} does not exist")
        if not plugin_shared <= shared:
            raise ValueError("plugin_shared must name shared packages only")
        modules = frozenset(
            child for child in graph.find_children(app) if child not in shared and graph.find_children(child)
        )
        if not modules:
            raise ValueError(f"no module (a subpackage) found in {app!r}")
        output.verbose_print(verbose, f"Modules: {_names(modules)}")
        output.verbose_print(verbose, f"Plugins: {_names(plugins) or 'none'}")
        rule = _Rule(
            app=app,
            public=frozenset(self._strings("public")),
            plugin_public=frozenset(self._strings("plugin_public")),
            shared=shared,
            plugin_shared=plugin_shared,
            modules=modules,
            plugins=frozenset(plugins),
        )
        violations: list[Violation] = []
        for importer in sorted(graph.modules):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                reason = rule.refuses(importer, imported)
                if reason is None:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = tuple(sorted({d["line_number"] for d in details}))
                violations.append(Violation(importer, imported, lines, reason))
        return ContractCheck(
            kept=not violations,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"violations": violations},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per import the rule refuses, with its line numbers and the reason."""
        violations: list[Violation] = check.metadata["violations"]
        for v in violations:
            where = ", ".join(f"l.{n}" for n in v.line_numbers)
            output.print_error(f"-   {v.importer} -> {v.imported} ({where}): {v.reason}", bold=False)
        output.new_line()
        output.print(
            "A module needs another's function: add it to that module's api.py. "
            "The rule and its reasons: tools/importrules.py, docs/architecture.md."
        )

    def _strings(self, name: str) -> set[str]:
        return {str(value) for value in getattr(self, name)}


@dataclass(frozen=True, kw_only=True)
class _Rule:
    """Who owns a dotted module name, and whether one owner may import another's module."""

    app: str
    public: frozenset[str]
    plugin_public: frozenset[str]
    shared: frozenset[str]
    plugin_shared: frozenset[str]
    modules: frozenset[str]
    plugins: frozenset[str]

    def owner(self, name: str) -> tuple[str, str]:
        """(kind, owning package) of ``name``: module, plugin, shared, root, or outside."""
        for kind, owners in (("module", self.modules), ("plugin", self.plugins), ("shared", self.shared)):
            for owning in owners:
                if name == owning or name.startswith(f"{owning}."):
                    return kind, owning
        if name == self.app or name.startswith(f"{self.app}."):
            return "root", name
        return "outside", name

    def refuses(self, importer: str, imported: str) -> str | None:
        """Why ``importer`` may not import ``imported`` directly, or None when it may."""
        kind, owning = self.owner(importer)
        target_kind, target = self.owner(imported)
        if kind in {"root", "outside"} or target_kind == "outside" or owning == target:
            return None
        if kind == "shared":
            if target_kind == "shared":
                return None
            return f"{owning} is shared and imports only {_names(self.shared)}"
        if target_kind == "root":
            if imported == self.app:
                return None  # the bare package (its version)
            return f"{imported} is a composition root; modules and plugins do not import it"
        if target_kind == "shared":
            if kind == "module" or target in self.plugin_shared:
                return None
            return f"a plugin imports {_names(self.plugin_shared)} of the shared packages, not {target}"
        if kind == "module" and target_kind == "plugin":
            return f"{target} is a plugin; modules do not depend on plugins"
        faces = self.public if kind == "module" else self.plugin_public
        if imported != target and imported.removeprefix(f"{target}.") in faces:
            return None
        return f"{kind}s import only {_names({f'{target}.{face}' for face in faces})} of {target}"


def _names(names: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(names))


def _plugin_packages(group: str) -> set[str]:
    """The top packages of the installed plugins' entry points (``workhub_example``)."""
    if not group:
        return set()
    return {str(ep.module).split(".")[0] for ep in entry_points(group=group)}
