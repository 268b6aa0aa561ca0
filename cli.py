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

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from converters import config, pipeline, registry
from converters.errors import ArxportError, OutputError, UnknownFormatError, UsageError
from converters.model import Problem, SourceSpan
from converters.readers.base import ReadOptions, format_size, parse_size
from converters.writers.base import OptionSpec, Writer

__version__ = "0.1.0"

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


def _print_problems(problems: Sequence[Problem], quiet: bool) -> None:
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


def _expand(inputs: Sequence[str], reader: str | None) -> tuple[list[pipeline.InputRef], list[Problem]]:
    try:
        if reader is not None:
            registry.reader_class(reader)  # unknown names are usage errors, before any reading
        return pipeline.expand_inputs(inputs)
    except UsageError as exc:
        _fail_usage(exc.message)


def _read(
    inputs: Sequence[str],
    refs: list[pipeline.InputRef],
    problems: list[Problem],
    reader: str | None,
    date: dt.date | None,
    quiet: bool,
    options: ReadOptions,
) -> pipeline.ReadResult:
    stdin = sys.stdin.buffer
    progress = _progress(refs)
    result = pipeline.read_inputs(refs, reader=reader, date=date, stdin=stdin, progress=progress, options=options)
    result.problems[:0] = problems
    pipeline.require_digests(result, inputs)
    _print_problems(result.problems, quiet)
    return result


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
    defaults = ReadOptions()
    func = click.option(
        "--max-field-size",
        metavar="SIZE",
        expose_value=False,
        callback=_size_option,
        help=f"Truncate a text field longer than SIZE characters, with a warning [default: {defaults.max_field_size // 2**20}M].",
    )(func)
    func = click.option(
        "--max-input-size",
        metavar="SIZE",
        expose_value=False,
        callback=_size_option,
        help=f"Refuse an input larger than SIZE bytes (512K, 256M, 1G) [default: {format_size(defaults.max_input_size)}].",
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


def _read_options(config_path: str | None, labels_path: str | None) -> ReadOptions:
    """The readers' options from the configuration file and ``--labels`` (which wins)."""
    try:
        found = Path(config_path) if config_path is not None else config.find_config(Path.cwd())
        if config_path is not None and not found.is_file():  # type: ignore[union-attr]
            _fail_usage(f"--config {config_path}: no such file")
        settings = config.load_config(found) if found is not None else config.Config()
        labels = config.load_labels(Path(labels_path)) if labels_path is not None else ()
    except UsageError as exc:
        _fail_usage(str(exc))
    meta = click.get_current_context().meta
    limits = {
        name: meta[f"arxport.{name}"] for name in ("max_input_size", "max_field_size") if f"arxport.{name}" in meta
    }
    return ReadOptions(labels=config.merged(settings.labels, labels), **limits)


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


def _writer_option_specs() -> dict[str, tuple[OptionSpec, list[str]]]:
    """Every option any writer declares -> (spec, writers using it), in registry order."""
    specs: dict[str, tuple[OptionSpec, list[str]]] = {}
    for name in registry.writer_names():
        for spec in registry.writer_class(name).options:
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


def _click_option(spec: OptionSpec, writers: list[str]) -> Callable[[F], F]:
    help_text = f"{spec.help} [{', '.join(writers)}]"
    if spec.type == "flag":
        return click.option(f"--{spec.name}/--no-{spec.name}", spec.key, default=spec.default, help=help_text)
    types: dict[str, Any] = {
        "text": click.STRING,
        "int": click.IntRange(min=spec.minimum),
        "date": IsoDate(),
        "path": click.Path(dir_okay=False),
        "choice": click.Choice(spec.choices, case_sensitive=False),
    }
    show_default = spec.default is not None
    return click.option(
        f"--{spec.name}",
        spec.key,
        type=types[spec.type],
        default=spec.default,
        show_default=show_default,
        metavar=spec.metavar,
        help=help_text,
    )


def _with_writer_options(func: F) -> F:
    for spec, writers in reversed(list(_writer_option_specs().values())):
        func = _click_option(spec, writers)(func)
    return func


# --- commands --------------------------------------------------------------------------


class ArxportGroup(click.Group):
    """Maps what escapes a command to an exit code; a traceback only with ARXPORT_DEBUG=1."""

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


@main.command(context_settings=CONTEXT, epilog=CONVERT_EPILOG)
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
@_with_writer_options
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
    **writer_args: Any,
) -> None:
    """Convert digests to one format, or to several at once into a directory."""
    read_options = _read_options(config_path, labels_path)
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
    result = _read(inputs, refs, [*expand_problems, *suffix_problems], reader, date, quiet, read_options)
    if not result.digests:
        click.echo("arxport: nothing was read; no output written", err=True)
    outputs: list[Output] = []
    for name, writer in writers.items():
        where = targets[name] or "-"
        if not result.digests:
            outputs.append({"format": name, "path": where, "status": "not-written", "reason": "nothing was read"})
            continue
        try:
            written = pipeline.write_output(
                writer, result.digests, targets[name], pipeline.writer_options(writer, writer_args), stdout=stdout
            )
        except OutputError as exc:
            click.echo(f"arxport: error: {exc}", err=True)
            outputs.append({"format": name, "path": where, "status": "failed", "reason": str(exc)})
            continue
        outputs.append(
            {"format": name, "path": where, "status": "written", "items": written.items, "notes": list(written.notes)}
        )
        if not quiet:
            for note in written.notes:
                click.echo(f"arxport: {name}: {note}", err=True)
            click.echo(
                f"arxport: wrote {written.items} item(s) as {name} to {where if where != '-' else 'stdout'}", err=True
            )
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


def _suffix_problems(name: str, writer: Writer, target: str | None) -> list[Problem]:
    """A warning when -o's suffix belongs to another format than the one written (``-o refs.bib --to csv``)."""
    if target is None:
        return []
    claimed = registry.writer_for_path(target)
    if claimed is None or target.lower().endswith(writer.suffixes):
        return []
    return [
        Problem(
            level="warning",
            code="output-suffix",
            message=f"this suffix is {claimed}'s, but --to {name} writes {name} into it (written anyway)",
            source=SourceSpan(path=target, line=1),
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
        f"arxport: {len(result.digests)} digest(s), {result.paper_count} paper(s): "
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
                "papers": len(d.papers),
            }
            for d in result.digests
        ],
        "failed": result.failed,
        "skipped": result.skipped,
        "problems": [
            {"source": p.source.path, "line": p.source.line, "level": p.level, "code": p.code, "message": p.message}
            for p in result.problems
        ],
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
    read_options = _read_options(config_path, labels_path)
    refs, expand_problems = _expand(inputs, reader)
    result = _read(inputs, refs, expand_problems, reader, None, quiet or as_json, read_options)
    code = _exit_code(result, strict)
    if as_json:
        click.echo(json.dumps(_report(result, code), ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(_summary(result), err=True)
    ctx.exit(code)


@main.command(context_settings=CONTEXT)
def formats() -> None:
    """List the readers and writers (plugins included) with their suffixes and options."""
    click.echo("Readers (--from; detected automatically):")
    for name in registry.reader_names():
        reader = registry.reader_class(name)
        suffixes = " ".join(reader.suffixes)
        click.echo(f"  {name:<14} {reader.description}  [{suffixes}; {registry.origin('reader', name)}]")
    click.echo("\nWriters (--to; or inferred from -o's suffix):")
    for name in registry.writer_names():
        writer = registry.writer_class(name)
        suffixes = " ".join(writer.suffixes)
        click.echo(f"  {name:<14} {writer.description}  [{suffixes}; {registry.origin('writer', name)}]")
        if writer.options:
            click.echo(f"  {'':<14} options: {' '.join('--' + s.name for s in writer.options)}")
    for message in registry.plugin_errors():
        click.echo(f"arxport: warning: {message}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["document", "paper"]), default="document")
def schema(kind: str) -> None:
    """Print the JSON Schema of --to json output (document) or of one --to jsonl line (paper)."""
    from converters.canonical import schema as make_schema

    click.echo(json.dumps(make_schema(kind), indent=2))  # type: ignore[arg-type]
