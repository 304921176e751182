"""The README's architecture section is true: the completion it follows through the code
names files that exist and functions defined where it says."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def trace_steps() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("One online completion through the code", 1)[1].split("\n\n## ", 1)[0]
    return re.findall(r"^\d+\. (.*?)(?=^\d+\. |\Z)", section, flags=re.M | re.S)


def defined_somewhere(name: str) -> bool:
    pattern = re.compile(rf"^(def|class) {name}\b|^{name} = ", flags=re.M)
    return any(
        pattern.search(path.read_text(encoding="utf-8"))
        for app in ("lms", "content", "courses", "certificates")
        for path in (ROOT / app).rglob("*.py")
    )


def test_the_completion_trace_names_real_files_and_functions():
    steps = trace_steps()
    assert 6 <= len(steps) <= 8
    files = []
    for step in steps:
        names = re.findall(r"`([^`]+)`", step)
        path = ROOT / names[0]
        assert path.is_file(), names[0]
        files.append(names[0])
        source = path.read_text(encoding="utf-8")
        # Every function the step names is defined in its file, or called there (a signal
        # sent, another feature's service), and defined somewhere in the code.
        for name in names[1:]:
            if not name.isidentifier():
                continue
            here = re.search(rf"^(def|class) {name}\b|^{name} = ", source, flags=re.M)
            called = re.search(rf"\b{name}(\(|\.send|\.delay|\.apply_async)", source)
            assert here or called, f"{name} is neither defined nor called in {names[0]}"
            assert defined_somewhere(name), f"{name} is defined nowhere"
    assert len(files) == len(set(files)), "each file is visited once"
