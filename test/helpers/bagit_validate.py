#!/usr/bin/env python3
"""An independent BagIt 1.0 (RFC 8493) validator for Custos export bags, used by the tests.

Written apart from main/cases/bagit.ts, from the RFC, so that a misreading of the RFC in the
TypeScript code does not repeat here. Checks bagit.txt, manifest-sha256.txt and
tagmanifest-sha256.txt against the files, that the payload and the manifest list the same files,
and the Payload-Oxum of bag-info.txt. Symbolic links are refused.

Usage: python3 bagit_validate.py <bag directory>
Prints "valid" and exits 0, or prints one line per problem and exits 1.
"""

import hashlib
import os
import sys

HEX = "0123456789abcdefABCDEF"


def lines_of(raw):
    """RFC 8493: a line ends with LF, CR or CRLF. (str.splitlines would also split on others.)"""
    text = raw.decode("utf-8")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def unpercent(path):
    """Decodes %25, %0A and %0D (the only escapes RFC 8493 2.1.3 allows); None for any other."""
    out = []
    i = 0
    while i < len(path):
        if path[i] != "%":
            out.append(path[i])
            i += 1
            continue
        code = path[i + 1 : i + 3].upper()
        if code == "25":
            out.append("%")
        elif code == "0A":
            out.append("\n")
        elif code == "0D":
            out.append("\r")
        else:
            return None
        i += 3
    return "".join(out)


def unsafe(path):
    if path == "" or path.startswith("/") or "\\" in path or "\0" in path:
        return True
    return any(part in ("", ".", "..") for part in path.split("/"))


def sha256_of(full):
    h = hashlib.sha256()
    with open(full, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def read_manifest(bag, name, problems):
    """Returns {path: hex} or None when the manifest is missing."""
    full = os.path.join(bag, name)
    if not os.path.isfile(full) or os.path.islink(full):
        problems.append(name + ": missing")
        return None
    entries = {}
    try:
        with open(full, "rb") as f:
            lines = lines_of(f.read())
    except UnicodeDecodeError:
        problems.append(name + ": not UTF-8")
        return entries
    for number, line in enumerate(lines, 1):
        # The checksum, then one or more spaces or tabs, then the path (RFC 8493 2.1.3).
        cut = min([i for i in (line.find(" "), line.find("\t")) if i >= 0], default=-1)
        digest, rest = (line[:cut], line[cut:].lstrip(" \t")) if cut >= 0 else (line, "")
        path = unpercent(rest)
        if len(digest) != 64 or any(c not in HEX for c in digest) or not path:
            problems.append("%s line %d: malformed: %r" % (name, number, line))
            continue
        if unsafe(path):
            problems.append("%s line %d: unsafe path %r" % (name, number, path))
            continue
        if path in entries:
            problems.append("%s line %d: %r listed twice" % (name, number, path))
            continue
        entries[path] = digest.lower()
    return entries


def check_entries(bag, name, entries, problems):
    for path, digest in sorted(entries.items()):
        full = os.path.join(bag, *path.split("/"))
        if os.path.islink(full) or not os.path.isfile(full):
            problems.append("%s: listed in %s but missing" % (path, name))
        elif sha256_of(full) != digest:
            problems.append("%s: checksum does not match %s" % (path, name))


def validate(bag):
    problems = []
    if not os.path.isdir(bag):
        return [bag + ": not a directory"]

    # Every file in the bag, as a POSIX path; links are never followed.
    on_disk = []
    for top, dirs, names in os.walk(bag, followlinks=False):
        rel_top = os.path.relpath(top, bag).replace(os.sep, "/")
        for name in dirs + names:
            rel = name if rel_top == "." else rel_top + "/" + name
            full = os.path.join(top, name)
            if os.path.islink(full):
                problems.append(rel + ": symbolic link")
            elif name in names:
                on_disk.append(rel)

    bagit = os.path.join(bag, "bagit.txt")
    if not os.path.isfile(bagit) or os.path.islink(bagit):
        problems.append("bagit.txt: missing")
    else:
        with open(bagit, "rb") as f:
            raw = f.read()
        try:
            lines = lines_of(raw)
        except UnicodeDecodeError:
            lines = []
        if lines != ["BagIt-Version: 1.0", "Tag-File-Character-Encoding: UTF-8"]:
            problems.append("bagit.txt: not a BagIt 1.0 declaration: %r" % raw[:200])

    if not os.path.isdir(os.path.join(bag, "data")):
        problems.append("data: payload directory missing")

    manifest = read_manifest(bag, "manifest-sha256.txt", problems)
    if manifest is not None:
        for path in manifest:
            if not path.startswith("data/"):
                problems.append("manifest-sha256.txt: %r is not under data/" % path)
        check_entries(bag, "manifest-sha256.txt", manifest, problems)
        for rel in on_disk:
            if rel.startswith("data/") and rel not in manifest:
                problems.append("%s: not listed in manifest-sha256.txt" % rel)

    tagmanifest = read_manifest(bag, "tagmanifest-sha256.txt", problems)
    if tagmanifest is not None:
        for path in tagmanifest:
            if path.startswith("data/") or path.startswith("tagmanifest-"):
                problems.append("tagmanifest-sha256.txt: %r is not a tag file" % path)
        check_entries(bag, "tagmanifest-sha256.txt", tagmanifest, problems)
        for rel in on_disk:
            if not rel.startswith("data/") and not rel.startswith("tagmanifest-"):
                if rel not in tagmanifest:
                    problems.append("%s: not listed in tagmanifest-sha256.txt" % rel)

    oxum = None
    info = os.path.join(bag, "bag-info.txt")
    if os.path.isfile(info) and not os.path.islink(info):
        with open(info, "rb") as f:
            try:
                for line in lines_of(f.read()):
                    label, colon, value = line.partition(":")
                    if colon and label.strip().lower() == "payload-oxum":
                        oxum = value.strip()
            except UnicodeDecodeError:
                problems.append("bag-info.txt: not UTF-8")
    if oxum is None:
        problems.append("bag-info.txt: no Payload-Oxum")
    else:
        octets, dot, count = oxum.partition(".")
        payload = [rel for rel in on_disk if rel.startswith("data/")]
        size = sum(os.lstat(os.path.join(bag, *rel.split("/"))).st_size for rel in payload)
        if not (dot and octets.isdigit() and count.isdigit()):
            problems.append("bag-info.txt: malformed Payload-Oxum %r" % oxum)
        elif (int(octets), int(count)) != (size, len(payload)):
            problems.append(
                "bag-info.txt: Payload-Oxum %s but the payload is %d.%d" % (oxum, size, len(payload))
            )
    return problems


def main():
    if len(sys.argv) != 2:
        print("usage: bagit_validate.py <bag directory>")
        return 2
    # Paths may hold any character: never fail while reporting them.
    sys.stdout.reconfigure(errors="backslashreplace")
    problems = validate(sys.argv[1])
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
