"""The ``arxport`` command: parses options, calls the library, maps errors to exit codes.

Exit codes (docs/cli.md has the table; every code is tested):

====  ===========================================================
0     success (warnings may have been printed)
1     aborted (Ctrl-C)
2     usage error: bad option, unknown format, refusing to overwrite an input, ``-`` twice
3     input error: an input could not be read, nothing was read, or a digest has errors
4     output error: an output or the report could not be written
5     warnings (skipped files included) found and ``--strict`` was given
70    internal error: a bug in arxport (ARXPORT_DEBUG=1 shows the traceback)
====  ===========================================================
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import importlib.util
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from click.core import ParameterSource

from converters import __version__
from converters.errors import ArxportError, OutputError, UnknownFormatError, UsageError
from converters.limits import MAX_FIELD_SIZE, MAX_INPUT_SIZE, format_size, parse_size


def _lazy(name: str) -> ModuleType:
    """Module ``name``, executed when one of its attributes is first used (the standard library's
    ``importlib.util.LazyLoader`` recipe): ``arxport --version`` and ``--help`` load none of arxport's
    library, and a run loads what it uses."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from converters import config, model, pipeline, registry
    from converters import export as export_run
    from converters import filters as filtering
    from converters.readers.base import ReadOptions
    from converters.writers.base import OptionSpec, Writer, WriteReport
else:
    config, filtering, model, pipeline, registry, export_run = (
        _lazy(f"converters.{name}") for name in ("config", "filters", "model", "pipeline", "registry", "export")
    )

EXIT_OK = 0
EXIT_ABORTED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_OUTPUT = 4
EXIT_STRICT = 5
EXIT_INTERNAL = 70

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: Below this many inputs no progress bar is drawn, even on a terminal.
PROGRESS_MIN_INPUTS = 20


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2025-11-19", param, ctx)


def _fail_usage(message: str) -> NoReturn:
    raise click.UsageError(message)


def _print_problems(problems: Sequence[model.Problem], quiet: bool) -> None:
    for problem in problems:
        if quiet and problem.level != "error":
            continue
        click.echo(str(problem), err=True)


def _progress(refs: Sequence[pipeline.InputRef]) -> Callable[[pipeline.InputRef], None] | None:
    """A progress bar on stderr for long batches on a terminal; None otherwise."""
    if len(refs) < PROGRESS_MIN_INPUTS or not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=len(refs), label="reading", file=sys.stderr, show_pos=True)
    bar.__enter__()

    def step(ref: pipeline.InputRef) -> None:
        bar.update(1)
        if bar.pos >= len(refs):
            bar.__exit__(None, None, None)

    return step


def _expand(inputs: Sequence[str], reader: str | None) -> tuple[list[pipeline.InputRef], list[model.Problem]]:
    try:
        return pipeline.find_inputs(inputs, reader)
    except UsageError as exc:
        _fail_usage(exc.message)


def _reading(
    refs: list[pipeline.InputRef],
    problems: list[model.Problem],
    reader: str | None,
    date: dt.date | None,
    options: ReadOptions,
    filters: filtering.Filters | None = None,
) -> pipeline.Reading:
    """The inputs' digests, read one input at a time as they are asked for (with a progress bar on a terminal)."""
    return pipeline.Reading(
        refs,
        problems,
        reader=reader,
        date=date,
        stdin=sys.stdin.buffer,
        progress=_progress(refs),
        options=options,
        filters=filters or filtering.NO_FILTERS,
    )


def _finish(result: pipeline.ReadResult, inputs: Sequence[str], quiet: bool) -> pipeline.ReadResult:
    """Add the ``nothing-read`` error where it applies and print every problem of the reading."""
    pipeline.require_digests(result, inputs)
    _print_problems(result.problems, quiet)
    return result


class _NothingRead(Exception):
    """The end of a streamed reading that read no digest: its output is not written (the temp file goes)."""


def _unless_empty(reading: pipeline.Reading) -> Iterator[model.Digest]:
    yield from reading
    if not reading.listed:
        raise _NothingRead


def _write(name: str, target: str | None, write: Callable[[], WriteReport], read: bool = True) -> Output:
    """Run one writer's ``write`` and say how it went, as the report lists outputs."""
    where = target or "-"
    not_written: Output = {"format": name, "path": where, "status": "not-written", "reason": "nothing was read"}
    if not read:
        return not_written
    try:
        written = write()
    except _NothingRead:
        return not_written
    except OutputError as exc:
        click.echo(f"arxport: error: {exc}", err=True)
        return {"format": name, "path": where, "status": "failed", "reason": str(exc)}
    return {"format": name, "path": where, "status": "written", "items": written.items, "notes": list(written.notes)}


def _announce(output: Output, quiet: bool) -> Output:
    """Print a written output's notes and item count (unless ``quiet``)."""
    if output["status"] == "written" and not quiet:
        for note in output["notes"]:
            click.echo(f"arxport: {output['format']}: {note}", err=True)
        where = output["path"] if output["path"] != "-" else "stdout"
        click.echo(f"arxport: wrote {output['items']} item(s) as {output['format']} to {where}", err=True)
    return output


def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Keep a size option (``256M``) in ``ctx.meta``, where :func:`_read_options` finds it."""
    if value is None:
        return
    try:
        ctx.meta[f"arxport.{param.name}"] = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _with_reading_options(func: F) -> F:
    """``--labels``, ``--config``, ``--max-input-size`` and ``--max-field-size``, which every command that reads
    digests takes (the sizes reach :func:`_read_options` through the context, not as parameters)."""
    func = click.option(
        "--max-field-size",
        metavar="SIZE",
        expose_value=False,
        callback=_size_option,
        help=f"Truncate a text field longer than SIZE characters, with a warning [default: {MAX_FIELD_SIZE // 2**20}M].",
    )(func)
    func = click.option(
        "--max-input-size",
        metavar="SIZE",
        expose_value=False,
        callback=_size_option,
        help=f"Refuse an input larger than SIZE bytes (512K, 256M, 1G) [default: {format_size(MAX_INPUT_SIZE)}].",
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Configuration file ([tool.arxport] in pyproject.toml, or arxport.toml); default: the closest "
        "one from the current directory upwards.",
    )(func)
    return click.option(
        "--labels",
        "labels_path",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="TOML table 'label = \"field\"' mapping labels a fork writes to fields (tldr, motivation, method, "
        "result, conclusion, abstract, abstract_translation, title, authors, categories, primary_category, "
        "comment, link); adds to the built-in vocabulary and [tool.arxport.labels].",
    )(func)


def _settings(config_path: str | None) -> config.Config:
    """The configuration file's settings: ``--config``, else the closest one from here upwards, else none."""
    try:
        if config_path is not None:
            if not Path(config_path).is_file():
                _fail_usage(f"--config {config_path}: no such file")
            return config.load_config(Path(config_path))
        found = config.find_config(Path.cwd())
        return config.load_config(found) if found is not None else config.Config()
    except UsageError as exc:
        _fail_usage(str(exc))


def _read_options(settings: config.Config, labels_path: str | None) -> ReadOptions:
    """The readers' options from the configuration file and ``--labels`` (which wins)."""
    try:
        labels = config.load_labels(Path(labels_path)) if labels_path is not None else ()
    except UsageError as exc:
        _fail_usage(str(exc))
    from converters.readers.base import ReadOptions

    meta = click.get_current_context().meta
    limits = {
        name: meta[f"arxport.{name}"] for name in ("max_input_size", "max_field_size") if f"arxport.{name}" in meta
    }
    return ReadOptions(labels=config.merged(settings.labels, labels), **limits)


def _given(ctx: click.Context, key: str) -> bool:
    """Whether the user gave option ``key`` on the command line (or in the environment)."""
    source = ctx.get_parameter_source(key)
    return source is not None and source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


def _with_filters(func: F) -> F:
    """The paper filters ``convert`` and ``export`` share."""
    for option in reversed(
        [
            click.option(
                "--category",
                "categories",
                multiple=True,
                metavar="CAT",
                help="Keep papers whose primary category is CAT (repeatable).",
            ),
            click.option(
                "--any-category", is_flag=True, help="--category matches any listed category, not only the primary."
            ),
            click.option("--since", type=IsoDate(), help="Keep papers from digests dated this day or later."),
            click.option("--until", type=IsoDate(), help="Keep papers from digests dated this day or earlier."),
            click.option(
                "--match", metavar="REGEX", help="Keep papers whose title or abstract holds REGEX (any case)."
            ),
        ]
    ):
        func = option(func)
    return func


def _filters(
    ctx: click.Context,
    settings: config.Config,
    categories: tuple[str, ...],
    any_category: bool,
    since: dt.date | None,
    until: dt.date | None,
    match: str | None,
) -> filtering.Filters:
    """The filters from the command line, else the configuration's ``[filter]`` table."""
    given: dict[str, Any] = {
        "categories": categories,
        "any_category": any_category,
        "since": since,
        "until": until,
        "match": match,
    }
    chosen = {
        key: value if _given(ctx, key) else settings.filters.get("category" if key == "categories" else key, value)
        for key, value in given.items()
    }
    try:
        return filtering.Filters(
            categories=tuple(chosen["categories"] or ()),
            any_category=bool(chosen["any_category"]),
            since=chosen["since"],
            until=chosen["until"],
            match=chosen["match"],
        )
    except UsageError as exc:
        _fail_usage(exc.message)


def _writer_args(
    ctx: click.Context, given: dict[str, Any], settings: config.Config, filters: filtering.Filters
) -> dict[str, Any]:
    """Writer options: the command line's, else the configuration's ``[options]``, else the defaults; the
    feed writers' ``since`` is the shared ``--since`` filter."""
    args = {key: value if _given(ctx, key) else settings.options.get(key, value) for key, value in given.items()}
    args.update({key: value for key, value in settings.options.items() if key not in args})
    args["since"] = filters.since
    return args


#: What ``convert`` did with one format: ``format``, ``path`` and ``status``: ``written``
#: (with ``items`` and ``notes``), ``failed`` or ``not-written`` (with the ``reason``).
Output = dict[str, Any]


def _failed_outputs(outputs: Sequence[Output]) -> int:
    return sum(1 for output in outputs if output["status"] == "failed")


def _counts(result: pipeline.ReadResult, outputs: Sequence[Output]) -> tuple[int, int]:
    """The run's (errors, warnings): every problem, and every output that could not be written.

    The summary line and the JSON report both count with this.
    """
    return len(result.errors) + _failed_outputs(outputs), len(result.warnings)


def _exit_code(result: pipeline.ReadResult, strict: bool, outputs: Sequence[Output] = ()) -> int:
    if _failed_outputs(outputs):
        return EXIT_OUTPUT
    if result.errors:
        return EXIT_INPUT
    if strict and result.warnings:
        return EXIT_STRICT
    return EXIT_OK


# --- writer options, built from the writers' declarations ------------------------------

#: Writer options the commands declare themselves (a filter every format obeys) and pass on.
_SHARED_OPTIONS = frozenset({"since"})


def _writer_option_specs() -> dict[str, tuple[OptionSpec, list[str]]]:
    """Every option any writer declares -> (spec, writers using it), in registry order."""
    specs: dict[str, tuple[OptionSpec, list[str]]] = {}
    for name in registry.writer_names():
        for spec in registry.writer_class(name).options:
            if spec.name in _SHARED_OPTIONS:  # the command's own option, passed on to the writers too
                continue
            if spec.name in specs:
                known, users = specs[spec.name]
                if (known.type, known.default, known.choices, known.minimum) != (
                    spec.type,
                    spec.default,
                    spec.choices,
                    spec.minimum,
                ):
                    raise RuntimeError(f"writers {users[0]} and {name} declare --{spec.name} differently")
                users.append(name)
            else:
                specs[spec.name] = (spec, [name])
    return specs


def _click_option(spec: OptionSpec, writers: list[str]) -> click.Option:
    help_text = f"{spec.help} [{', '.join(writers)}]"
    if spec.type == "flag":
        return click.Option([f"--{spec.name}/--no-{spec.name}", spec.key], default=spec.default, help=help_text)
    types: dict[str, Any] = {
        "text": click.STRING,
        "int": click.IntRange(min=spec.minimum),
        "date": IsoDate(),
        "path": click.Path(dir_okay=False),
        "choice": click.Choice(spec.choices, case_sensitive=False),
    }
    return click.Option(
        [f"--{spec.name}", spec.key],
        type=types[spec.type],
        default=spec.default,
        show_default=spec.default is not None,
        metavar=spec.metavar,
        help=help_text,
    )


class WriterOptionsCommand(click.Command):
    """A command that takes every writer's options (``--key-format``, ``--max-items`` ...).

    They are made from the writers' declarations when the command first needs its
    parameters (its help, or a run), not when ``cli`` is imported: listing them
    loads every writer class, which ``arxport --version`` and ``arxport --help``
    must not pay for. They come after the command's own options.
    """

    _writer_options_added = False

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not self._writer_options_added:
            self._writer_options_added = True
            for spec, writers in _writer_option_specs().values():
                self.params.append(_click_option(spec, writers))
        return super().get_params(ctx)


# --- commands --------------------------------------------------------------------------


class ArxportGroup(click.Group):
    """Maps what escapes a command to an exit code; a traceback only with ARXPORT_DEBUG=1."""

    def main(self, args: Sequence[str] | None = None, *pargs: Any, **kwargs: Any) -> Any:
        """The ``arxport`` process: when the command line is the process's own (``args`` None), the
        objects of the run are frozen out of the cyclic collector before the interpreter exits, whose
        final collections would walk all of them again for nothing (about 70 ms of a day's
        ``--to all``). A caller that passes ``args`` (tests, scripts) keeps its collector as it is."""
        try:
            return super().main(args, *pargs, **kwargs)
        finally:
            if args is None:
                gc.freeze()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ArxportError as exc:
            click.echo(f"arxport: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `arxport convert ... | head` is not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except Exception as exc:
            if os.environ.get("ARXPORT_DEBUG") == "1":
                raise
            click.echo(f"arxport: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("arxport: this is a bug in arxport; ARXPORT_DEBUG=1 shows the traceback", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(
    cls=ArxportGroup,
    context_settings=CONTEXT,
    epilog="Run 'arxport COMMAND --help' for the options and examples of a command.",
)
@click.version_option(__version__, "-V", "--version", prog_name="arxport")
def main() -> None:
    """Turn arXiv daily-digest Markdown into the formats researchers use.

    \b
    arxport convert samples/ --to bibtex -o refs.bib     citation manager
    arxport convert data/*.md --to atom -o feed.xml      one feed for many days
    arxport check data/ --strict                         a CI gate

    Inputs are digest files, directories, globs or - for standard input;
    'arxport formats' lists what can be read and written.
    """


CONVERT_EPILOG = """\b
Examples:
  arxport convert 2025-11-19.md --to bibtex -o refs.bib
  arxport convert data/ -o papers.csv              (format from the suffix)
  arxport convert 'data/2025-11-*.md' --to rss --max-items 200 -o feed.xml
  cat digest.md | arxport convert - --to jsonl | jq .title
  arxport convert new.md --to bibtex --merge refs.bib -o refs.bib

\b
Several inputs are merged into one output. Problems are printed to stderr as
file:line: level: message [code]; the output is still written from the inputs
that could be read. Exit codes: 0 ok, 2 usage, 3 input error (or nothing
read), 4 output error, 5 warnings with --strict, 70 internal error.
"""


@main.command(cls=WriterOptionsCommand, context_settings=CONTEXT, epilog=CONVERT_EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-t", "--to", "to", metavar="FORMAT", help="Output format (see 'arxport formats'); default: from -o's suffix."
)
@click.option("-o", "--output", metavar="PATH", help="Output file, written atomically; '-' or none for stdout.")
@click.option(
    "-f", "--from", "reader", metavar="READER", help="Force a reader instead of detecting each input's format."
)
@click.option("--date", type=IsoDate(), help="Date for digests whose file name has none (e.g. from stdin).")
@click.option("--strict", is_flag=True, help="Exit 5 when any warning was found.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no summary.")
@click.option(
    "--report",
    "report_path",
    metavar="PATH",
    help="Also write a JSON report of the run (inputs, problems, outputs, exit code) for CI; "
    "'-' for stdout when the data goes to a file.",
)
@_with_reading_options
@_with_filters
@click.pass_context
def convert(
    ctx: click.Context,
    /,
    inputs: tuple[str, ...],
    to: str | None,
    output: str | None,
    reader: str | None,
    date: dt.date | None,
    strict: bool,
    quiet: bool,
    report_path: str | None,
    config_path: str | None,
    labels_path: str | None,
    categories: tuple[str, ...],
    any_category: bool,
    since: dt.date | None,
    until: dt.date | None,
    match: str | None,
    **writer_args: Any,
) -> None:
    """Convert digests to one format, or to several at once into a directory."""
    settings = _settings(config_path)
    read_options = _read_options(settings, labels_path)
    filters = _filters(ctx, settings, categories, any_category, since, until, match)
    writer_args = _writer_args(ctx, writer_args, settings, filters)
    names = _pick_writers(to, output)
    several = len(names) > 1 or to == "all"
    if several and output in (None, "-"):
        _fail_usage("several formats need -o DIRECTORY")
    writers = {name: registry.get_writer(name) for name in names}
    declared = {spec.key for writer in writers.values() for spec in writer.options}
    for key in writer_args:
        if ctx.get_parameter_source(key) is click.core.ParameterSource.COMMANDLINE and key not in declared:
            _fail_usage(f"--{key.replace('_', '-')} does not apply to --to {','.join(names)}")
    stdout = sys.stdout.buffer
    if not several and writers[names[0]].binary and output in (None, "-") and stdout.isatty():
        _fail_usage(f"{names[0]} is a binary format; give -o FILE (or redirect stdout)")
    for writer in writers.values():
        try:
            writer.check_options(pipeline.writer_options(writer, writer_args))
        except OutputError as exc:
            _fail_usage(f"--to {writer.name}: {exc.message}")
    targets = _targets(writers, output, several)
    _check_report_path(report_path, targets)
    refs, expand_problems = _expand(inputs, reader)
    try:
        for target in [*targets.values(), report_path]:
            pipeline.ensure_not_input(target, refs)
        if several:
            assert output is not None
            os.makedirs(output, exist_ok=True)
    except (OutputError, OSError) as exc:
        _fail_usage(str(exc))
    suffix_problems = [p for name, writer in writers.items() for p in _suffix_problems(name, writer, targets[name])]
    problems = [*expand_problems, *suffix_problems]
    outputs: list[Output] = []
    first, first_target = writers[names[0]], targets[names[0]]
    if not several and first.single_pass and first_target not in (None, "-"):
        # One writer that takes each digest once: it writes while the inputs are read, and keeps no digest.
        reading = _reading(refs, problems, reader, date, read_options, filters)
        write = functools.partial(
            pipeline.write_output,
            first,
            _unless_empty(reading),
            first_target,
            pipeline.writer_options(first, writer_args),
        )
        entry = _write(names[0], first_target, write)
        result = _finish(reading.read_rest(), inputs, quiet)  # inputs a failed write left unread still count
        outputs.append(_announce(entry, quiet))
    else:
        reading = _reading(refs, problems, reader, date, read_options)
        result = _finish(reading.result(list(reading)), inputs, quiet)
        # The papers stay to the end of the run: the cyclic collector need not walk them again at every
        # full collection while the writers work (that made a writer's time grow faster than its papers).
        gc.freeze()
        chosen = [kept for kept in map(filters.apply, result.digests) if kept is not None]
        for name, writer in writers.items():
            options = pipeline.writer_options(writer, writer_args)
            write = functools.partial(pipeline.write_output, writer, chosen, targets[name], options, stdout=stdout)
            outputs.append(_announce(_write(name, targets[name], write, read=bool(result.listed)), quiet))
        gc.unfreeze()  # a process that runs commands in turn (tests, a script) collects them again
    if not result.listed:
        click.echo("arxport: nothing was read; no output written", err=True)
    code = _exit_code(result, strict, outputs)
    if not quiet:
        click.echo(_summary(result, outputs), err=True)
    if report_path is not None and not _write_report(report_path, _report(result, code, outputs)):
        code = EXIT_OUTPUT
    ctx.exit(code)


def _check_report_path(report_path: str | None, targets: dict[str, str | None]) -> None:
    """Refuse a ``--report`` that would land in the data: on stdout beside it, or over an output file."""
    if report_path is None:
        return
    if report_path == "-":
        if None in targets.values():
            _fail_usage("--report - and the output would both go to standard output; give -o FILE or --report FILE")
        return
    for target in targets.values():
        if target is not None and os.path.abspath(target) == os.path.abspath(report_path):
            _fail_usage(f"--report {report_path} is also the output; give the report another name")


def _suffix_problems(name: str, writer: Writer, target: str | None) -> list[model.Problem]:
    """A warning when -o's suffix belongs to another format than the one written (``-o refs.bib --to csv``)."""
    if target is None:
        return []
    claimed = registry.writer_for_path(target)
    if claimed is None or target.lower().endswith(writer.suffixes):
        return []
    return [
        model.Problem(
            level="warning",
            code="output-suffix",
            message=f"this suffix is {claimed}'s, but --to {name} writes {name} into it (written anyway)",
            source=model.SourceSpan(path=target, line=1),
        )
    ]


def _pick_writers(to: str | None, output: str | None) -> list[str]:
    """The writers to run: ``--to`` (a name, a comma list or ``all``), else from -o's suffix."""
    try:
        if to == "all":
            return registry.writer_names()
        if to is not None:
            return list(dict.fromkeys(registry.writer_class(n.strip()).name for n in to.split(",") if n.strip()))
    except UnknownFormatError as exc:
        _fail_usage(exc.message)
    if output not in (None, "-"):
        assert output is not None
        found = registry.writer_for_path(output)
        if found is not None:
            return [found]
        _fail_usage(f"cannot tell the format from {output!r}; give --to FORMAT")
    _fail_usage("give --to FORMAT (or -o FILE with a known suffix); 'arxport formats' lists them")


def _targets(writers: dict[str, Any], output: str | None, several: bool) -> dict[str, str | None]:
    """Where each writer writes: -o itself, or ``DIR/papers<suffix>`` when several formats go to a directory.

    A suffix already taken by an earlier writer of the run gets the format name
    in front (``papers.bib``, then ``papers.biblatex.bib``).
    """
    if not several:
        return {name: output if output != "-" else None for name in writers}
    assert output is not None
    targets: dict[str, str | None] = {}
    taken: set[str] = set()
    for name, writer in writers.items():
        suffix = writer.suffixes[0] if writer.suffixes else f".{name}"
        filename = f"papers.{name}{suffix}" if suffix in taken else f"papers{suffix}"
        taken.add(suffix)
        targets[name] = os.path.join(output, filename)
    return targets


def _summary(result: pipeline.ReadResult, outputs: Sequence[Output] = ()) -> str:
    errors, warnings = _counts(result, outputs)
    return (
        f"arxport: {len(result.listed)} digest(s), {result.paper_count} paper(s): "
        f"{errors} error(s), {warnings} warning(s)"
    )


def _report(result: pipeline.ReadResult, code: int, outputs: list[Output] | None = None) -> dict[str, Any]:
    """The machine-readable account of a run that ``--report`` and ``check --format json`` give."""
    errors, warnings = _counts(result, outputs or ())
    report: dict[str, Any] = {
        "ok": code == EXIT_OK,
        "exit_code": code,
        "inputs": [
            {
                "source": d.source,
                "template": d.template,
                "date": d.date.isoformat() if d.date else None,
                "papers": d.papers,
            }
            for d in result.listed
        ],
        "failed": result.failed,
        "skipped": result.skipped,
        "problems": [_problem_json(p) for p in result.problems],
        "summary": {"papers": result.paper_count, "errors": errors, "warnings": warnings},
    }
    if outputs is not None:
        report["outputs"] = outputs
    return report


def _write_report(path: str, report: dict[str, Any]) -> bool:
    """Write ``report`` to ``path`` (``-``: stdout); False, with the error printed, when it cannot be written."""
    data = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if path == "-":
        sys.stdout.buffer.write(data)
        return True
    try:
        pipeline.atomic_write(path, lambda handle: handle.write(data))
    except OutputError as exc:
        click.echo(f"arxport: error: cannot write the report: {exc}", err=True)
        return False
    return True


EXPORT_EPILOG = """\b
Examples:
  arxport export data/ --to all --out-dir site/                  one set per digest
  arxport export data/ --to atom,bibtex -g month -g all -d site/ per month, and merged
  arxport export data/ --to rss -g category -d feeds/             one feed per category
  arxport export data/ --to jsonl --shard 2/4 -d part2/           a quarter of a CI matrix

\b
Outputs are named after their group: 2025-11-19.bib (digest), 2025-11.bib (month),
cs.LG.atom (category), papers.bib (all). An output whose bytes would not change is
not rewritten, and inputs and outputs that did not change since the last run are
neither read nor written again (the cache, --cache DIR, is safe to delete).
Defaults come from [tool.arxport.export] in pyproject.toml or arxport.toml.
Exit codes: 0 ok, 2 usage, 3 input error (or nothing read), 4 output error,
5 warnings with --strict, 70 internal error.
"""


def _shard_option(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"{value!r} is not K/N with 1 <= K <= N (2/4: the second of four shards)")
    return int(k), int(n)


@main.command(cls=WriterOptionsCommand, context_settings=CONTEXT, epilog=EXPORT_EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-t", "--to", "to", metavar="FORMATS", help="'all' or a comma list (bibtex,atom,csv).")
@click.option("-d", "--out-dir", metavar="DIR", help="Where every output goes (made when missing).")
@click.option(
    "-g",
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help="digest (default: a set per input), month, category (primary), all (merged); repeatable.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes; default: the number of cores.")
@click.option("--shard", metavar="K/N", callback=_shard_option, help="Export only the K-th of N shards of the inputs.")
@click.option(
    "--cache",
    metavar="DIR",
    help="Parsed inputs and what each output was made from; default: a folder in --out-dir.",
)
@click.option(
    "-f", "--from", "reader", metavar="READER", help="Force a reader instead of detecting each input's format."
)
@click.option("--strict", is_flag=True, help="Exit 5 when any warning was found.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no progress, no summary.")
@click.option("--report", "report_path", metavar="PATH", help="Also write a JSON report of the run ('-': stdout).")
@_with_reading_options
@_with_filters
@click.pass_context
def export(
    ctx: click.Context,
    /,
    inputs: tuple[str, ...],
    to: str | None,
    out_dir: str | None,
    groups: tuple[str, ...],
    jobs: int | None,
    shard: tuple[int, int] | None,
    cache: str | None,
    reader: str | None,
    strict: bool,
    quiet: bool,
    report_path: str | None,
    config_path: str | None,
    labels_path: str | None,
    categories: tuple[str, ...],
    any_category: bool,
    since: dt.date | None,
    until: dt.date | None,
    match: str | None,
    **writer_args: Any,
) -> None:
    """Export digests in batches for CI: a set of outputs per digest, month, category, or merged."""
    settings = _settings(config_path)
    defaults = settings.export
    read_options = _read_options(settings, labels_path)
    filters = _filters(ctx, settings, categories, any_category, since, until, match)
    writer_args = _writer_args(ctx, writer_args, settings, filters)
    formats = _pick_formats(to if to is not None else ",".join(defaults.get("to", ())))
    directory = out_dir or defaults.get("out_dir")
    if not directory:
        _fail_usage("give --out-dir DIR (or out-dir in [tool.arxport.export])")
    chosen_groups = groups or tuple(defaults.get("group", ())) or ("digest",)
    for group in chosen_groups:
        if group not in export_run.GROUPS:
            _fail_usage(f"group {group!r} is not one of {', '.join(export_run.GROUPS)}")
    writers = [registry.get_writer(name) for name in formats]
    declared = {spec.key for writer in writers for spec in writer.options}
    for key in writer_args:
        if _given(ctx, key) and key not in declared and key not in _SHARED_OPTIONS:
            _fail_usage(f"--{key.replace('_', '-')} does not apply to --to {','.join(formats)}")
    for writer in writers:
        try:
            writer.check_options(pipeline.writer_options(writer, writer_args))
        except OutputError as exc:
            _fail_usage(f"--to {writer.name}: {exc.message}")
    refs, expand_problems = _expand(inputs, reader)
    if any(ref.name == pipeline.STDIN for ref in refs):
        _fail_usage("export reads files, not standard input (- ); convert reads standard input")
    request = export_run.Request(
        inputs=tuple(refs),
        formats=tuple(formats),
        out_dir=Path(directory),
        groups=tuple(dict.fromkeys(chosen_groups)),
        options=writer_args,
        read_options=read_options,
        reader=reader,
        filters=filters,
        jobs=jobs or defaults.get("jobs") or os.cpu_count() or 1,
        shard=shard,
        cache=Path(cache) if cache else Path(defaults["cache"]) if defaults.get("cache") else None,
    )
    try:
        with _export_progress(len(refs), quiet) as progress:
            result = export_run.run(request, progress)
    except UsageError as exc:
        _fail_usage(exc.message)
    result.problems[:0] = expand_problems
    if not any(found.key for found in result.inputs) and not any(p.level == "error" for p in result.all_problems):
        source = model.SourceSpan(path=" ".join(inputs), line=1)
        message = "nothing was read: no input holds a digest"
        result.problems.append(model.Problem(level="error", code="nothing-read", message=message, source=source))
    problems = result.all_problems
    _print_problems(problems, quiet)
    failed = [output for output in result.outputs if output.status == "failed"]
    for output in failed:
        click.echo(f"arxport: error: {output.reason}", err=True)
    errors = sum(p.level == "error" for p in problems) + len(failed)
    warnings = sum(p.level == "warning" for p in problems)
    code = EXIT_OUTPUT if failed else EXIT_INPUT if errors else EXIT_STRICT if strict and warnings else EXIT_OK
    if not quiet:
        click.echo(_export_summary(result, errors, warnings), err=True)
    if report_path is not None and not _write_report(report_path, _export_report(result, code, errors, warnings)):
        code = EXIT_OUTPUT
    ctx.exit(code)


def _pick_formats(to: str) -> list[str]:
    """``--to`` for export: ``all`` or a comma list of formats."""
    if not to.strip():
        _fail_usage("give --to FORMATS ('all' or a comma list; or to in [tool.arxport.export])")
    try:
        if to.strip() == "all":
            return registry.writer_names()
        return list(dict.fromkeys(registry.writer_class(n.strip()).name for n in to.split(",") if n.strip()))
    except UnknownFormatError as exc:
        _fail_usage(exc.message)


@contextlib.contextmanager
def _export_progress(total: int, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar (inputs done, rate, time left) on a terminal's standard error; nothing otherwise."""
    if quiet or total < PROGRESS_MIN_INPUTS or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="exporting", file=sys.stderr, show_pos=True, show_eta=True) as bar:

        def step(done: int, _total: int) -> None:
            bar.update(done - bar.pos)

        yield step


def _export_summary(result: export_run.Result, errors: int, warnings: int) -> str:
    statuses = Counter(output.status for output in result.outputs)
    return (
        f"arxport: {len(result.inputs)} input(s), {result.papers} paper(s); "
        f"{statuses['written']} output(s) written, {statuses['unchanged']} unchanged, {statuses['failed']} failed; "
        f"{errors} error(s), {warnings} warning(s) in {result.seconds:.1f} s"
    )


def _export_report(result: export_run.Result, code: int, errors: int, warnings: int) -> dict[str, Any]:
    """What ``export --report`` writes: every input, every output, every problem, the totals."""
    chosen = {p.source.path: p.message for p in result.problems if p.code == "rendering"}
    statuses = Counter(output.status for output in result.outputs)
    return {
        "ok": code == EXIT_OK,
        "exit_code": code,
        "inputs": [
            {
                "source": found.source,
                "rendering": chosen.get(found.source),
                "template": found.template,
                "date": found.date,
                "papers": found.papers,
                "from_cache": found.cached,
                "failed": found.failed,
                "problems": [_problem_json(p) for p in found.problems],
            }
            for found in result.inputs
        ],
        "outputs": [
            {
                "group": output.group,
                "member": output.member,
                "format": output.format,
                "path": output.path,
                "status": output.status,
                "items": output.items,
                "reason": output.reason,
                "notes": output.notes,
            }
            for output in result.outputs
        ],
        "problems": [_problem_json(p) for p in result.all_problems],
        "summary": {
            "inputs": len(result.inputs),
            "papers": result.papers,
            "outputs": {
                "written": statuses["written"],
                "unchanged": statuses["unchanged"],
                "failed": statuses["failed"],
            },
            "errors": errors,
            "warnings": warnings,
            "seconds": round(result.seconds, 3),
        },
    }


def _problem_json(problem: model.Problem) -> dict[str, Any]:
    source = problem.source
    return {
        "source": source.path,
        "line": source.line,
        "level": problem.level,
        "code": problem.code,
        "message": problem.message,
    }


CHECK_EPILOG = """\b
Examples:
  arxport check data/2025-11-19.md
  arxport check data/ --strict            fail the CI job on warnings too
  arxport check data/ --format json > report.json

\b
Every problem is printed as file:line: level: message [code].
Exit codes: 0 clean (or warnings only), 3 errors (or nothing read),
5 warnings (skipped files too) with --strict, 2 usage, 70 internal error.
"""


@main.command(context_settings=CONTEXT, epilog=CHECK_EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-f", "--from", "reader", metavar="READER", help="Force a reader instead of detecting each input's format."
)
@click.option("--strict", is_flag=True, help="Exit 5 when any warning was found.")
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem on stderr; json: a machine-readable report on stdout.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@_with_reading_options
@click.pass_context
def check(
    ctx: click.Context,
    inputs: tuple[str, ...],
    reader: str | None,
    strict: bool,
    report_format: str,
    quiet: bool,
    config_path: str | None,
    labels_path: str | None,
) -> None:
    """Validate digests for CI: report every problem, exit non-zero on errors."""
    as_json = report_format == "json"
    read_options = _read_options(_settings(config_path), labels_path)
    refs, expand_problems = _expand(inputs, reader)
    reading = _reading(refs, expand_problems, reader, None, read_options)
    result = _finish(reading.read_rest(), inputs, quiet or as_json)
    code = _exit_code(result, strict)
    if as_json:
        click.echo(json.dumps(_report(result, code), ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(_summary(result), err=True)
    ctx.exit(code)


@main.command(context_settings=CONTEXT)
def formats() -> None:
    """List the readers and writers (plugins included) with their suffixes and options."""
    from converters.api import formats as listed

    found = listed()
    click.echo("Readers (--from; detected automatically):")
    for info in (f for f in found if f.kind == "reader"):
        click.echo(f"  {info.name:<14} {info.description}  [{' '.join(info.suffixes)}; {info.origin}]")
    click.echo("\nWriters (--to; or inferred from -o's suffix):")
    for info in (f for f in found if f.kind == "writer"):
        click.echo(f"  {info.name:<14} {info.description}  [{' '.join(info.suffixes)}; {info.origin}]")
        if info.options:
            click.echo(f"  {'':<14} options: {' '.join('--' + s.name for s in info.options)}")
    for message in registry.plugin_errors():
        click.echo(f"arxport: warning: {message}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["document", "paper"]), default="document")
def schema(kind: str) -> None:
    """Print the JSON Schema of --to json output (document) or of one --to jsonl line (paper)."""
    from converters.canonical import schema as make_schema

    click.echo(json.dumps(make_schema(kind), indent=2))  # type: ignore[arg-type]
