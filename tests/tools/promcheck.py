#!/usr/bin/env python3
"""promcheck.py FILE - strict check of a Prometheus text exposition file
(the node_exporter textfile collector format, version 0.0.4).

Checks metric and label name syntax, # HELP and # TYPE before a family's
first sample (once each), families not interleaved, label value escaping
(only \\\\, \\" and \\n), float values, summary quantile labels, no duplicate
series and a final newline.  Prints each problem as FILE:LINE: message and
exits 1 if there was any; prints the number of samples and exits 0 otherwise.
"""
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
FLOAT = re.compile(r'^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf|NaN)$')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def family_of(name, types):
    for suffix in ("_sum", "_count", "_bucket"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if types.get(base) in ("summary", "histogram"):
                return base, suffix
    return name, ""


def parse_labels(s, pos, err):
    """Parse {a="b",...} starting at s[pos] == '{'; return (dict, end)."""
    labels = {}
    i = pos + 1
    while True:
        if i < len(s) and s[i] == '}':
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            err("bad label name at column %d" % (i + 1))
            return None, i
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            err("label %s: expected =\"" % name)
            return None, i
        i += 2
        val = []
        while True:
            if i >= len(s):
                err("label %s: unterminated value" % name)
                return None, i
            c = s[i]
            if c == '\\':
                nxt = s[i + 1:i + 2]
                if nxt not in ('\\', '"', 'n'):
                    err("label %s: bad escape \\%s" % (name, nxt))
                    return None, i
                val.append({'\\': '\\', '"': '"', 'n': '\n'}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if name in labels:
            err("duplicate label %s" % name)
            return None, i
        labels[name] = "".join(val)
        if i < len(s) and s[i] == ',':
            i += 1
            continue
        if i < len(s) and s[i] == '}':
            return labels, i + 1
        err("expected , or } after label %s" % name)
        return None, i


def check(path):
    data = open(path, "rb").read()
    problems = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["%s: not UTF-8: %s" % (path, e)], 0
    if text and not text.endswith("\n"):
        problems.append("%s: no newline at the end" % path)
    helps, types, seen_sample, done = {}, {}, set(), set()
    series = set()
    current = None
    samples = 0
    for no, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        def err(msg, no=no):
            problems.append("%s:%d: %s" % (path, no, msg))
        if line == "":
            err("empty line")
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    err("bad metric name %r" % name)
                if name in seen_sample:
                    err("# %s for %s after its samples" % (parts[1], name))
                if parts[1] == "HELP":
                    if name in helps:
                        err("second # HELP for %s" % name)
                    helps[name] = parts[3] if len(parts) > 3 else ""
                else:
                    if name in types:
                        err("second # TYPE for %s" % name)
                    if len(parts) != 4 or parts[3] not in TYPES:
                        err("bad # TYPE line")
                    else:
                        types[name] = parts[3]
            continue
        m = NAME.match(line)
        if not m:
            err("bad metric name")
            continue
        name = m.group(0)
        i = m.end()
        labels = {}
        if i < len(line) and line[i] == '{':
            labels, i = parse_labels(line, i, err)
            if labels is None:
                continue
        rest = line[i:]
        if not rest.startswith(" "):
            err("expected a space before the value")
            continue
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2) or not FLOAT.match(fields[0]):
            err("bad value %r" % rest[1:])
            continue
        if len(fields) == 2 and not re.fullmatch(r'-?\d+', fields[1]):
            err("bad timestamp %r" % fields[1])
        fam, suffix = family_of(name, types)
        if fam not in helps:
            err("sample of %s before its # HELP" % fam)
        if fam not in types:
            err("sample of %s before its # TYPE" % fam)
        if fam != current:
            if fam in done:
                err("family %s is interleaved with another" % fam)
            if current is not None:
                done.add(current)
            current = fam
        if types.get(fam) == "summary":
            if suffix == "" and "quantile" not in labels:
                err("summary sample without a quantile label")
            if suffix != "" and "quantile" in labels:
                err("%s sample with a quantile label" % suffix)
            if "quantile" in labels:
                try:
                    q = float(labels["quantile"])
                    if not 0 <= q <= 1:
                        raise ValueError
                except ValueError:
                    err("quantile %r not in [0, 1]" % labels["quantile"])
        if types.get(fam) == "counter" and not name.endswith("_total"):
            err("counter %s does not end in _total" % name)
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            err("duplicate series %s%s" % (name, labels))
        series.add(key)
        seen_sample.add(fam)
        samples += 1
    return problems, samples


def main():
    if len(sys.argv) != 2:
        print("usage: promcheck.py FILE", file=sys.stderr)
        return 2
    problems, samples = check(sys.argv[1])
    for p in problems:
        print(p)
    if problems:
        return 1
    print("%d samples" % samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
