"""A theme: folders of Jinja templates, the user's first, the built-in one last."""

from __future__ import annotations

import contextlib
import re
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from newsletter.build import colour
from newsletter.build import markdown as markup
from newsletter.build.sandbox import Sandbox, bounded_work
from newsletter.build.translations import CatalogError, gettext_functions, long_date
from newsletter.build.usercache import user_cache_folder
from newsletter.model.problems import Problem, ProblemsError


def _builtin() -> Path:
    # Installed, the default theme is packaged as newsletter/theme; in a checkout of the
    # repository it is the top-level templates/ it is packaged from.
    packaged = Path(__file__).parent.parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "templates"


BUILTIN = _builtin()
"""The default theme, shipped inside the package."""

PREFIX = "!theme"
"""`{% extends "!theme/issue.mjml.j2" %}` reaches the built-in template a user's one overrides."""


# Invisible characters after the preheader, so that inboxes do not fill the preview with the
# start of the body ("View in browser", the logo's alt text, ...).
_PREHEADER_PADDING = "\u034f\u200c\u00a0" * 80


def _pad_preheader(text: str) -> str:
    return text + _PREHEADER_PADDING


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """A cache of compiled templates in the user's cache folder; none where that folder
    cannot be made."""
    # Versioned: compiled templates of another code generator must not be run.
    folder = user_cache_folder("templates-3")
    return _Cache(folder) if folder is not None else None


class _Cache(jinja2.FileSystemBytecodeCache):
    """A cache that is only ever a help: a full disk or a broken file in it costs the time
    to compile a template, never the build."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _autoescape(name: str | None) -> bool:
    return name is None or not name.endswith(".txt.j2")


_THEMES: dict[tuple[tuple[Path, ...], Path | None], Theme] = {}


class _FolderLoader(jinja2.FileSystemLoader):
    """Templates from folders, never through a symbolic link that leads out of them: a link
    in a theme (committed in a pull request, say) must not put a file of the system in the
    email."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class Theme:
    """Templates found on a search path; errors in them are problems with file and line."""

    def __init__(self, folders: tuple[Path, ...], root: Path | None = None) -> None:
        self.folders = tuple(folder.resolve() for folder in folders)
        self.root = root.resolve() if root else None
        # Sandboxed: a template from a pull request must not run code on the editor's machine.
        self.env = Sandbox(
            loader=jinja2.ChoiceLoader(
                [
                    _FolderLoader(self.folders),
                    jinja2.PrefixLoader({PREFIX: _FolderLoader(BUILTIN)}, delimiter="/"),
                ]
            ),
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,  # a template saved during a preview is read again
            # Compiled templates are kept between runs: compiling them is a fifth of a cold build.
            bytecode_cache=_bytecode_cache(),
            # {% trans %} and _(): the theme's words in the language (translations.py).
            extensions=["jinja2.ext.i18n"],
        )
        self.env.policies["ext.i18n.trimmed"] = True  # a message's line breaks are not its own
        self.env.newstyle_gettext = True  # type: ignore[attr-defined]  # set by the extension
        filters: dict[str, Callable[..., Any]] = {
            "markdown": markup.to_html,
            "markdown_inline": markup.to_html_inline,
            "markdown_text": markup.to_text,
            "wrap": markup.wrap,
            "readable_on": colour.readable_on,
            "pad_preheader": _pad_preheader,
            "long_date": long_date,
        }
        self.env.filters.update(filters)
        self.env.globals["references"] = markup.References

    @classmethod
    def load(cls, folder: Path, root: Path | None = None) -> Theme:
        """The theme in `folder`, falling back on the built-in theme for what it lacks.

        One per folder and process: its compiled templates stay warm from build to build
        (the preview, the archive's workers), and Jinja reads a template again when it changes.
        """
        folders = (folder, BUILTIN) if folder.resolve() != BUILTIN.resolve() else (BUILTIN,)
        key = (tuple(f.resolve() for f in folders), root.resolve() if root else None)
        if key not in _THEMES:
            _THEMES[key] = cls(folders, root)
        return _THEMES[key]

    @property
    def layouts(self) -> frozenset[str]:
        """The section layouts: the names of `layouts/NAME.mjml.j2`, except `_partials`."""
        names = self.env.list_templates(filter_func=lambda n: n.startswith("layouts/"))
        return frozenset(
            n.removeprefix("layouts/").removesuffix(".mjml.j2")
            for n in names
            if n.endswith(".mjml.j2")
            and "/" not in n.removeprefix("layouts/")
            and not n.startswith("layouts/_")  # partials shared by layouts
        )

    def words(self, language: str) -> dict[str, Any]:
        """What templates call to say the theme's words in `language`: `gettext`, `_` and
        `ngettext`, from the theme's catalogs."""
        try:
            return gettext_functions((*self.folders, BUILTIN), language)
        except CatalogError as e:
            problem = Problem("theme/template", self.display(e.path), e.line, 0, "", str(e))
            raise ProblemsError([problem]) from None

    def display(self, filename: str | None) -> str:
        """A template's file name as the user should see it: relative to the project."""
        if not filename:
            return "<template>"
        path = Path(filename)
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render template `name`; raise ProblemsError naming the template file and line."""
        try:
            with bounded_work():
                return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as e:
            where = self.display(e.filename)
            problem = Problem(
                "theme/template", where, e.lineno, 0, "", f"template syntax: {e.message}"
            )
            raise ProblemsError([problem]) from None
        except jinja2.TemplateNotFound as e:
            searched = ", ".join(self.display(str(folder)) + "/" for folder in self.folders)
            message = f"template not found: {e.name} (searched {searched})"
            raise ProblemsError([self._problem_at(e, message, name)]) from None
        except RecursionError as e:
            raise ProblemsError([self._recursion_problem(e, name)]) from None
        except (
            jinja2.TemplateError,
            ArithmeticError,
            AttributeError,
            LookupError,
            MemoryError,
            TypeError,
            ValueError,
        ) as e:
            message = str(getattr(e, "message", None) or e)
            raise ProblemsError([self._problem_at(e, f"template error: {message}", name)]) from None

    def _problem_at(self, error: BaseException, message: str, name: str) -> Problem:
        """The problem located at the innermost template frame of the error's traceback."""
        frame = self._innermost_frame(error)
        if frame is None:
            return Problem("theme/template", name, 0, 0, "", message)
        return Problem(
            "theme/template", self.display(frame.filename), frame.lineno or 0, 0, "", message
        )

    def _innermost_frame(self, error: BaseException) -> traceback.FrameSummary | None:
        """The innermost frame of the error's traceback that runs one of the theme's templates."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename and self._template_name(frame.filename) is not None:
                return frame
        return None

    def _template_name(self, filename: str) -> str | None:
        """The name of the template in file `filename`, if one of the theme's folders has it."""
        path = Path(filename)
        for folder in (*self.folders, BUILTIN):
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return None

    def _recursion_problem(self, error: RecursionError, name: str) -> Problem:
        """A template that extends or includes itself, or a macro that calls itself without end."""
        frame = self._innermost_frame(error)
        if frame is None:
            message = "template error: the templates call themselves without end"
            return Problem("theme/template", name, 0, 0, "", message)
        tag = re.search(r"{%-?\s*(extends|include|import|from)\b", frame.line or "")
        if tag is None:
            message = "a macro or a recursive loop calls itself without end"
        else:
            message = "the template extends or includes itself"
            own = self._template_name(frame.filename)
            user_copy = not Path(frame.filename).resolve().is_relative_to(BUILTIN.resolve())
            keyword = tag[1]
            if (
                own
                and user_copy
                and keyword in ("extends", "include")
                and (BUILTIN / own).is_file()
            ):
                verb = keyword.removesuffix("s")
                message += (
                    f' (to {verb} the built-in one, write {{% {keyword} "{PREFIX}/{own}" %}})'
                )
        return Problem(
            "theme/template", self.display(frame.filename), frame.lineno or 0, 0, "", message
        )

    def find(self, pattern: str) -> tuple[str, int, int] | None:
        """Where `pattern` (its first group, if any) first matches the theme's templates."""
        for name in sorted(self.env.list_templates(extensions=["j2", "mjml"])):
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            match = re.search(pattern, source)
            if match:
                at = match.start(1) if match.re.groups else match.start()
                line = source.count("\n", 0, at) + 1
                return self.display(filename), line, at - (source.rfind("\n", 0, at) + 1) + 1
        return None

    def include(self, path: str) -> str:
        """The text of an `<mj-include path="...">`: only files inside the theme's folders."""
        for folder in self.folders:
            candidate = (folder / path).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise FileNotFoundError(path)
