"""The one plugin manager: Nakhon's own default plugins, then installed ones, then configured ones.

Order of registration (and of the results of every hook, see :func:`collect`):

1. ``DEFAULT_PLUGINS``: the national defaults, registered through the same hooks as any plugin;
2. installed packages that declare an entry point in the group ``nakhon``
   (``[project.entry-points.nakhon] my_city = "my_city.plugin"``);
3. the modules named in the setting ``NAKHON_PLUGINS`` (comma-separated module paths).

A plugin that cannot be imported, or whose hooks do not match the hook specifications, stops
Nakhon at start-up with a :class:`~nakhon.config.env.ConfigError` naming it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pluggy

from nakhon.config.env import ConfigError
from nakhon.plugins import hookspecs

ENTRY_POINT_GROUP = "nakhon"

#: The modules that register Nakhon's own readers, checks and rule directories.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "nakhon.ingestion.readers.plugin",
    "nakhon.ingestion.plugin",
    "nakhon.tax.plugin",
)

_T = TypeVar("_T")
_lock = threading.Lock()


class Manager(pluggy.PluginManager):
    """A pluggy manager that counts its changes, so that joined hook results can be cached."""

    generation = 0

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        self.generation += 1
        return super().register(plugin, name)

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        self.generation += 1
        return super().unregister(plugin, name)


_manager: Manager | None = None
_cache: dict[str, tuple[int, int, list[Any]]] = {}


def configured_modules() -> list[str]:
    """The module paths of ``NAKHON_PLUGINS`` (from Django's settings once they are loaded)."""
    from django.conf import settings

    if settings.configured:
        return list(getattr(settings, "NAKHON_PLUGINS", []))
    from nakhon.config.env import env_list

    return env_list("NAKHON_PLUGINS")


def _register(pm: pluggy.PluginManager, plugin: Any, name: str, where: str) -> None:
    if pm.is_registered(plugin) or pm.has_plugin(name):
        return  # e.g. listed in NAKHON_PLUGINS and installed with an entry point
    try:
        pm.register(plugin, name)
    except pluggy.PluginValidationError as exc:
        raise ConfigError(
            f"the plugin {name} ({where}) does not fit Nakhon's hooks: {exc}"
        ) from None


def _import(name: str, where: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = f"no module named {exc.name!r}" if exc.name else str(exc)
        raise ConfigError(
            f"the plugin {name} ({where}) cannot be imported: {missing}. Install it, or "
            "correct the module path."
        ) from None
    except Exception as exc:
        raise ConfigError(
            f"the plugin {name} ({where}) failed while being imported: {type(exc).__name__}: {exc}"
        ) from None


def build(modules: Sequence[str] | None = None, *, entry_points: bool = True) -> Manager:
    """A new plugin manager: the defaults, the installed plugins (``entry_points``), then
    ``modules`` (default: ``NAKHON_PLUGINS``). Raises ``ConfigError`` naming a bad plugin."""
    pm = Manager("nakhon")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name)
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            where = f"entry point {ep.name} = {ep.value}"
            try:
                plugin = ep.load()
            except Exception as exc:
                raise ConfigError(
                    f"the installed plugin {ep.name} ({ep.value}) failed to load: "
                    f"{type(exc).__name__}: {exc}"
                ) from None
            _register(pm, plugin, ep.name, where)
    for name in configured_modules() if modules is None else modules:
        _register(pm, _import(name, "NAKHON_PLUGINS"), name, "NAKHON_PLUGINS")
    try:
        pm.check_pending()  # an implementation of a hook that does not exist (a typo)
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        reason = str(exc).split(" in plugin ")[0]  # "unknown hook 'register_reader'"
        raise ConfigError(
            f"the plugin {name} does not fit Nakhon's hooks: {reason} (see docs/plugins.md)"
        ) from None
    return pm


def get_plugin_manager() -> Manager:
    """The process's plugin manager, built on first use (Django's start-up builds it)."""
    global _manager
    if _manager is None:
        with _lock:
            if _manager is None:
                _manager = build()
    return _manager


def reset() -> None:
    """Forget the manager; the next use builds it again from the current settings."""
    global _manager
    with _lock:
        _manager = None
        _cache.clear()


@contextmanager
def registered_plugin(plugin: Any, name: str | None = None) -> Iterator[Any]:
    """Register ``plugin`` for the duration of a ``with`` block (tests of plugins)::

    with registered_plugin(my_plugin):
        ...
    """
    pm = get_plugin_manager()
    pm.register(plugin, name)
    try:
        yield plugin
    finally:
        pm.unregister(plugin)


def collect(hook: str, kind: type[_T] | tuple[type, ...], **kwargs: Any) -> list[_T]:
    """Call ``hook`` with ``kwargs`` and join the lists it returns, in registration order.

    Each item must be a ``kind``; a class of ``kind`` is instantiated without arguments. A
    plugin that returns something else is a configuration error that names it. The results of
    a hook without arguments are kept until a plugin is registered or unregistered.
    """
    pm = get_plugin_manager()
    if not kwargs:
        cached = _cache.get(hook)
        if cached is not None and cached[0] == id(pm) and cached[1] == pm.generation:
            return list(cached[2])
    generation = pm.generation
    caller = getattr(pm.hook, hook)
    found: list[Any] = []
    # get_hookimpls() lists the implementations in registration order (pluggy calls them in
    # the reverse order); tryfirst/trylast move one to the end/start of this list
    for impl in caller.get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        result = impl.function(*(kwargs[arg] for arg in impl.argnames))
        for item in result or ():
            if isinstance(item, type) and issubclass(item, kind):
                item = item()
            if not isinstance(item, kind):
                kinds = (kind,) if isinstance(kind, type) else kind
                names = " or ".join(k.__name__ for k in kinds)
                raise ConfigError(
                    f"the plugin {impl.plugin_name}: {hook}() returned {item!r}, not a {names}"
                )
            found.append(item)
    if not kwargs:
        _cache[hook] = (id(pm), generation, list(found))
    return found
