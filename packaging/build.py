"""Build the installable app.

    python packaging/build.py [--flavour cpu|cuda] [--clean] [--deb] [--deb-only]

makes dist/aigc-desktop/ (a one-folder PyInstaller bundle; dist/aigc-desktop.app on macOS) and,
with --deb, dist/aigc-desktop_<version>_<arch>.deb. Needs the project installed with the
packaging extra in the Python that runs this script:  pip install -e '.[packaging]'
The version is pyproject.toml's [project] version, everywhere.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "aigc-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
RESOURCES = ROOT / "resources"
APP = "aigc-desktop"
APP_ID = "io.github.aigc_desktop"
BUNDLE = DIST / APP
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)

# What Qt's xcb and wayland platforms and the Python runtime need from the system. PyInstaller
# leaves these out of the bundle on purpose (they must match the running X server, GPU driver and
# font setup). `--deb` checks with ldd that nothing the bundle links to is missing from this list.
DEB_DEPENDS = (  # libc6 and libstdc++6 get their minimum versions from the bundle's ELF files
    "libc6", "libstdc++6", "libgcc-s1", "zlib1g", "libglib2.0-0", "libdbus-1-3",
    "libfontconfig1", "libfreetype6", "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0",
    "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0",
    "libxcb-render0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-xfixes0", "libxcb-xkb1",
    "libxkbcommon0", "libxkbcommon-x11-0", "libegl1", "libgl1", "libopengl0", "libwayland-client0",
    "libwayland-cursor0", "libwayland-egl1",
)
DEB_RECOMMENDS = ("fonts-noto-cjk",)  # Chinese text
# Plugins that Qt loads only when their desktop is there, linking to that desktop's libraries.
OPTIONAL_PLUGINS = ("libqgtk3.so",)  # the GTK 3 theme (native dialogs on GNOME): needs GTK 3
# GLIBCXX_3.4.N symbol version -> the first GCC (Debian libstdc++6 version) that provides it
GLIBCXX_TO_GCC = {26: "9", 27: "9.2", 28: "10", 29: "11", 30: "12", 31: "13", 32: "13.2", 33: "14"}


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'(?m)^version\s*=\s*"([^"]+)"', text).group(1)


def fail(message: str) -> None:
    print(f"build.py: {message}", file=sys.stderr)
    sys.exit(1)


def check_environment(flavour: str, version: str) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        fail("PyInstaller is not installed here: pip install -e '.[packaging]'")
    try:
        installed = importlib.metadata.version(APP)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        fail(f"the installed {APP} metadata says {installed!r}, pyproject.toml says {version!r}: "
             "reinstall the project first (pip install -e '.[packaging]'); the bundle carries that metadata")
    if flavour == "cpu":
        import torch

        if torch.version.cuda or torch.version.hip:
            fail("the cpu flavour needs the CPU build of torch (its CUDA build links to the CUDA "
                 "libraries): pip install torch --index-url https://download.pytorch.org/whl/cpu")


def run_pyinstaller(flavour: str, clean: bool) -> None:
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
           "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller")]
    if clean:
        cmd.append("--clean")
    cmd += ["--", "--flavour", flavour]
    print("+", " ".join(cmd), flush=True)
    started = time.monotonic()
    subprocess.run(cmd, check=True, cwd=ROOT)
    print(f"PyInstaller finished in {time.monotonic() - started:.0f} s", flush=True)


def tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.stat(full).st_size
    return total


def human(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def largest_files(path: Path, count: int = 8) -> list[tuple[int, str]]:
    sizes = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                sizes.append((os.stat(full).st_size, os.path.relpath(full, path)))
    return sorted(sizes, reverse=True)[:count]


def executable() -> Path:
    return BUNDLE / (f"{APP}-cli.exe" if sys.platform == "win32" else APP)


def check_bundle(version: str) -> None:
    """The frozen app starts and finds its own metadata."""
    result = subprocess.run([str(executable()), "--version"], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        fail(f"the bundled app does not start:\n{result.stdout}{result.stderr}")
    print(f"frozen app: {result.stdout.strip()}")
    # torch and transformers import (the model folder is checked after they are loaded)
    missing_model = str(WORK / "no-such-model")
    result = subprocess.run([str(executable()), "continue", "--model", missing_model, "Hello"],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 1 or "Model folder not found" not in result.stderr or "Traceback" in result.stderr:
        fail(f"the bundled engine does not load:\n{result.stdout}{result.stderr}")
    print(f"frozen engine: {result.stderr.strip()} (as expected)")


# ----- Linux: library check and .deb ----------------------------------------------------------
def elf_files(path: Path) -> list[Path]:
    found = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = Path(root) / name
            if full.is_symlink() or not (".so" in name or os.access(full, os.X_OK)):
                continue
            with open(full, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(full)
    return found


def depends_package_for(soname: str) -> str | None:
    """The DEB_DEPENDS package that ships soname, by Debian's naming rule (libfoo.so.1 -> libfoo1,
    libfoo-bar.so.0 -> libfoo-bar0, libfoo2.so.1 -> libfoo2-1)."""
    match = re.match(r"^(lib[\w+.-]*?)\.so\.(\d+)", soname)
    if not match:
        return None
    stem, major = match.group(1).lower(), match.group(2)
    candidates = {f"{stem}{major}", f"{stem}-{major}"}
    for dep in DEB_DEPENDS:
        if dep.split()[0].lower() in candidates:
            return dep.split()[0]
    return None


def check_libraries(bundle: Path) -> set[str]:
    """ldd every ELF file: nothing may be missing, and the system libraries it uses must come from
    packages in DEB_DEPENDS (or packages those pull in). Returns the system packages used."""
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))  # as the PyInstaller bootloader sets it
    missing: dict[str, set[str]] = {}
    system_libs: set[str] = set()
    for path in elf_files(bundle):
        if path.name in OPTIONAL_PLUGINS:
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
        for line in result.stdout.splitlines():
            line = line.strip()
            if "=> not found" in line:
                missing.setdefault(line.split()[0], set()).add(str(path.relative_to(bundle)))
            elif "=>" in line:
                target = line.split("=>", 1)[1].split("(")[0].strip()
                if target and not target.startswith(str(bundle)):
                    system_libs.add(os.path.realpath(target))
    for lib in list(missing):
        package = depends_package_for(lib)
        if package:  # not installed on this build machine; apt installs it with the .deb
            print(f"build.py: note: {lib} is not installed here; the .deb depends on {package}", file=sys.stderr)
            del missing[lib]
    if missing:
        lines = "\n".join(f"  {lib} (needed by {', '.join(sorted(users)[:3])})" for lib, users in sorted(missing.items()))
        fail(f"libraries missing from the bundle and from this system:\n{lines}")
    packages: set[str] = set()
    if shutil.which("dpkg"):
        result = subprocess.run(["dpkg", "-S", *sorted(system_libs)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            packages.add(line.split(":", 1)[0])
    return packages


def versioned_depends(bundle: Path) -> list[str]:
    """DEB_DEPENDS with the lowest libc6 and libstdc++6 versions that the bundle's symbols need."""
    glibc, glibcxx = (2, 17), 0
    for path in elf_files(bundle):
        data = path.read_bytes()
        for major, minor in re.findall(rb"GLIBC_(\d+)\.(\d+)", data):
            glibc = max(glibc, (int(major), int(minor)))
        for minor in re.findall(rb"GLIBCXX_3\.4\.(\d+)", data):
            glibcxx = max(glibcxx, int(minor))
    depends = []
    for dep in DEB_DEPENDS:
        if dep == "libc6":
            dep = f"libc6 (>= {glibc[0]}.{glibc[1]})"
        elif dep == "libstdc++6" and glibcxx in GLIBCXX_TO_GCC:
            dep = f"libstdc++6 (>= {GLIBCXX_TO_GCC[glibcxx]})"
        depends.append(dep)
    return depends


def closure_of(packages: list[str]) -> set[str]:
    """packages plus everything they depend on (as installed here), for the ldd comparison."""
    seen: set[str] = set()
    todo = [p.split()[0] for p in packages]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        result = subprocess.run(["dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", name],
                                capture_output=True, text=True)
        for alternative in re.split(r"[,|]", result.stdout):
            dep = alternative.strip().split(" ")[0].split(":")[0]
            if dep:
                todo.append(dep)
    return seen


def link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def normalise_permissions(root: Path) -> None:
    for dirpath, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in files:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue
            mode = os.stat(full).st_mode
            os.chmod(full, 0o755 if mode & stat.S_IXUSR else 0o644)
    os.chmod(root, 0o755)


def build_deb(version: str, compression: str, maintainer: str) -> Path:
    for tool in ("dpkg-deb", "dpkg"):
        if not shutil.which(tool):
            fail(f"--deb needs {tool} (Debian or Ubuntu)")
    if not (BUNDLE / APP).is_file():
        fail(f"no bundle at {BUNDLE}: build it first (python packaging/build.py)")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    used = check_libraries(BUNDLE)
    allowed = closure_of(list(DEB_DEPENDS))
    unlisted = sorted(p for p in used if p.split(":")[0] not in allowed)
    if unlisted:
        print(f"build.py: warning: the bundle uses system libraries from {', '.join(unlisted)}, "
              "which DEB_DEPENDS does not pull in", file=sys.stderr)

    stage = WORK / "deb" / f"{APP}_{version}_{arch}"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / APP
    shutil.copytree(BUNDLE, opt, symlinks=True, copy_function=link_or_copy)
    (stage / "usr" / "bin").mkdir(parents=True)
    os.symlink(f"/opt/{APP}/{APP}", stage / "usr" / "bin" / APP)
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(RESOURCES / f"{APP}.desktop", share / "applications" / f"{APP}.desktop")
    (share / "metainfo").mkdir(parents=True)
    shutil.copy2(RESOURCES / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    for size in ICON_SIZES:
        folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copy2(RESOURCES / "icons" / f"{APP}-{size}.png", folder / f"{APP}.png")
    folder = share / "icons" / "hicolor" / "scalable" / "apps"
    folder.mkdir(parents=True)
    shutil.copy2(RESOURCES / "icons" / f"{APP}.svg", folder / f"{APP}.svg")
    doc = share / "doc" / APP
    doc.mkdir(parents=True)
    notices = (RESOURCES / "licenses" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    (doc / "copyright").write_text(
        f"aigc-desktop {version}\n\n" + (RESOURCES / "licenses" / "aigc-desktop-MIT.txt").read_text(encoding="utf-8")
        + "\n\n" + notices + f"\nFull licence texts: /opt/{APP}/_internal/resources/licenses/\n", encoding="utf-8")

    installed_kib = (tree_size(stage) + 1023) // 1024
    control = stage / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: {APP}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {maintainer}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(versioned_depends(opt))}\n"
        f"Recommends: {', '.join(DEB_RECOMMENDS)}\n"
        "Section: editors\n"
        "Priority: optional\n"
        "Description: offline writing assistant that continues your text with a local model\n"
        " A plain-text and Markdown editor: select a passage or place the cursor and\n"
        " press Continue, and a local GPT-2-family language model running on your own\n"
        " CPU streams a continuation into the document. Works for English and Chinese;\n"
        " nothing you write leaves your machine. Models are downloaded on request into\n"
        " the Hugging Face cache, or loaded from a local folder.\n",
        encoding="utf-8")
    normalise_permissions(stage)
    deb = DIST / f"{APP}_{version}_{arch}.deb"
    cmd = ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(stage), str(deb)]
    print("+", " ".join(cmd), flush=True)
    started = time.monotonic()
    subprocess.run(cmd, check=True)
    print(f"dpkg-deb finished in {time.monotonic() - started:.0f} s", flush=True)
    shutil.rmtree(stage)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the aigc-desktop app bundle (and the .deb).")
    parser.add_argument("--flavour", choices=("cpu", "cuda"), default="cpu",
                        help="cpu (default): no CUDA libraries; needs the CPU build of torch")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--deb", action="store_true", help="also build the .deb (Debian, Ubuntu)")
    parser.add_argument("--deb-only", action="store_true", help="only (re)build the .deb from dist/aigc-desktop")
    parser.add_argument("--deb-compression", choices=("xz", "zstd", "gzip"), default="xz")
    parser.add_argument("--maintainer", default="aigc-desktop developers <aigc-desktop@localhost>",
                        help="the .deb's Maintainer field")
    args = parser.parse_args(argv)
    version = project_version()
    if not args.deb_only:
        check_environment(args.flavour, version)
        run_pyinstaller(args.flavour, args.clean)
        check_bundle(version)
        print(f"bundle: {BUNDLE} ({human(tree_size(BUNDLE))} unpacked); largest files:")
        for size, name in largest_files(BUNDLE):
            print(f"  {human(size):>8}  {name}")
        if sys.platform == "win32":
            print(f'installer: "%ProgramFiles(x86)%\\Inno Setup 6\\ISCC.exe" /DAppVersion={version} '
                  "packaging\\windows\\aigc-desktop.iss")
    if args.deb or args.deb_only:
        if not sys.platform.startswith("linux"):
            fail("--deb is for Linux")
        deb = build_deb(version, args.deb_compression, args.maintainer)
        print(f"deb: {deb} ({human(deb.stat().st_size)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
