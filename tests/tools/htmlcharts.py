#!/usr/bin/env python3
"""htmlcharts.py DOM.html WHAT - facts about the charts of an html report,
read from the DOM Chromium dumped after layout, one line per fact, for
report.sh to compare exactly.

WHAT is one of:
  bands      each severity band of the hourly chart, top to bottom:
             "severity fill tallest-bar-height bars"
  categories each category of the category chart: "category fill"
  latency    each latency-over-time chart: "rule groups=... p95=N p50=N
             points=N baseline=X0-X1|none"
  ticks      the tick labels of the hourly chart's time axis
  incidents  the incident bands of the hourly chart, by kind
  clipped    every text of every chart that does not fit its chart's
             width (an estimate: 0.62 em per character), or "none"
  overlaps   every two texts of one chart whose boxes overlap (the same
             estimate, a line of one em above the baseline), or "none"
"""
import sys
from html.parser import HTMLParser


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def cls(self):
        return self.attrs.get("class", "").split()

    def own_text(self):
        # the text shown: a <title> child is a tooltip, not drawn
        return self.text


class Tree(HTMLParser):
    VOID = {"meta", "br", "line", "rect", "circle", "path", "img", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text += data


def svgs(root):
    return [n for n in root.walk() if n.tag == "svg"]


def by_id(root, i):
    for n in root.walk():
        if n.attrs.get("id") == i:
            return n
    return None


def text_box(n):
    """Where a text starts, how wide it is (0.62 em a character), its size."""
    cls = n.cls()
    size = 12 if "label" in cls else 11
    w = 0.62 * size * len(n.own_text())
    x = float(n.attrs.get("x", 0))
    anchor = n.attrs.get("text-anchor", "start")
    lo = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
    return lo, w, size


def main():
    t = Tree()
    t.feed(open(sys.argv[1], encoding="utf-8").read())
    what = sys.argv[2]
    root = t.root
    out = []
    if what == "bands":
        chart = by_id(root, "chart-hourly")
        for g in chart.walk() if chart else []:
            if g.tag == "g" and "band" in g.cls():
                bars = [r for r in g.walk() if r.tag == "rect" and "bar" in r.cls()]
                fills = sorted({r.attrs["fill"] for r in bars})
                tallest = max(float(r.attrs["height"]) for r in bars)
                out.append("%s %s %.1f %d" % (g.attrs["data-severity"],
                           ",".join(fills), tallest, len(bars)))
    elif what == "categories":
        chart = by_id(root, "chart-categories")
        seen = {}
        for r in chart.walk() if chart else []:
            if r.tag == "rect" and "bar" in r.cls():
                seen.setdefault(r.attrs["data-category"], set()).add(r.attrs["fill"])
        for k in sorted(seen):
            out.append("%s %s" % (k, ",".join(sorted(seen[k]))))
    elif what == "latency":
        for s in svgs(root):
            if "latency-time" not in s.cls():
                continue
            paths = [p for p in s.walk() if p.tag == "path"]
            groups = sorted({p.attrs["data-group"] for p in paths})
            base = [r for r in s.walk() if r.tag == "rect" and "baseline-window" in r.cls()]
            b = "none"
            if base:
                x = float(base[0].attrs["x"])
                b = "%.0f-%.0f" % (x, x + float(base[0].attrs["width"]))
            out.append("%s groups=%s p95=%d p50=%d points=%d baseline=%s" % (
                s.attrs["data-rule"], ",".join(groups),
                sum("p95" in p.cls() and p.attrs["d"].strip() != "" for p in paths),
                sum("p50" in p.cls() and p.attrs["d"].strip() != "" for p in paths),
                sum(1 for c in s.walk() if c.tag == "circle"), b))
    elif what == "ticks":
        chart = by_id(root, "chart-hourly")
        for n in chart.walk() if chart else []:
            if n.tag == "text" and "tick-label" in n.cls():
                out.append(n.own_text())
    elif what == "incidents":
        chart = by_id(root, "chart-hourly")
        kinds = {}
        for n in chart.walk() if chart else []:
            if n.tag == "rect" and "incident-band" in n.cls():
                k = [c for c in n.cls() if c.startswith("incident-") and c != "incident-band"][0]
                kinds[k] = kinds.get(k, 0) + 1
        out = ["%s %d" % (k, kinds[k]) for k in sorted(kinds)]
    elif what == "overlaps":
        for s in svgs(root):
            boxes = []
            for n in s.walk():
                if n.tag != "text" or not n.own_text().strip():
                    continue
                lo, w, size = text_box(n)
                y = float(n.attrs.get("y", 0))
                boxes.append((lo, lo + w, y - size, y, n.own_text()))
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                        out.append("%s: %r and %r" % (
                            s.attrs.get("id", s.attrs.get("class")), a[4], b[4]))
        if not out:
            out = ["none"]
    elif what == "clipped":
        for s in svgs(root):
            width = float(s.attrs["viewbox" if "viewbox" in s.attrs else "viewBox"].split()[2])
            for n in s.walk():
                if n.tag != "text":
                    continue
                lo, w, _ = text_box(n)
                if lo < 0 or lo + w > width:
                    out.append("%s: %r from %.0f to %.0f of %.0f" % (
                        s.attrs.get("id", s.attrs.get("class")), n.own_text(), lo, lo + w, width))
        if not out:
            out = ["none"]
    print("\n".join(out))


main()
