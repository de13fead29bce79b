"""The frame of the HTML report: style, and a script that sorts tables by a clicked header.

Kept apart from :mod:`gankit.runs.report` so the page's look is edited in one place. The script is
the page's only one; it needs no network and logs nothing.
"""

from string import Template

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
section { margin-bottom: 3em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f4f4f6; } td:first-child, th:first-child { text-align: left; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[data-order="ascending"]::after { content: " \\25B2"; }
table.sortable th[data-order="descending"]::after { content: " \\25BC"; }
table.facts th { text-align: left; width: 9em; }
table.facts td { text-align: left; font-family: ui-monospace, monospace; word-break: break-all; }
td.best { font-weight: bold; background: #e8f5e9; }
td:first-child { white-space: nowrap; }
.wide { overflow-x: auto; }
img { max-width: 100%; height: auto; image-rendering: pixelated; }
figure { display: inline-block; margin: 0 1em 1em 0; text-align: center; vertical-align: top; }
figcaption { color: #555; font-size: .9em; }
pre { background: #f7f7f9; padding: .8em; overflow-x: auto; }
summary { cursor: pointer; font-weight: 600; margin: .5em 0; }
.made { color: #666; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="made">$made</p>
$body
<script>
"use strict";
// Click a header to sort its table by that column (numbers as numbers, empty cells last).
for (const header of document.querySelectorAll("table.sortable th")) {
  header.addEventListener("click", () => {
    const table = header.closest("table");
    const column = Array.from(header.parentNode.children).indexOf(header);
    const order = header.dataset.order === "ascending" ? "descending" : "ascending";
    for (const other of table.querySelectorAll("th")) delete other.dataset.order;
    header.dataset.order = order;
    const value = (row) => {
      const text = row.cells[column].dataset.value;
      if (text === undefined || text === "") return null;
      const number = Number(text);
      return Number.isNaN(number) ? text : number;
    };
    const rows = Array.from(table.tBodies[0].rows);
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      if (x === null || y === null) return (x === null) - (y === null);
      const sign = order === "ascending" ? 1 : -1;
      return x < y ? -sign : x > y ? sign : 0;
    });
    for (const row of rows) table.tBodies[0].appendChild(row);
  });
}
</script>
</body>
</html>
""")
