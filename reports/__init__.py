"""Scorecards: gather figures from audits, render HTML, print to PDF.

- ``figures``: one school's scorecard figures, for a whole round in a fixed number of queries
  (``queries`` holds the SQL beyond the scoring engine's; ``comments`` picks and scrubs quotes;
  ``wording`` holds the sentences and the published standards);
- ``summary``: the district summary's figures;
- ``charts``: inline SVG charts; ``render``: the Jinja environment and WeasyPrint;
  ``fetcher``: the only URLs WeasyPrint may load (bundled assets);
- ``batch``: build a round's scorecards, by content hash, in one or more processes;
  ``progress``: the batch's progress file;
- ``exports``: round results as CSV and XLSX.

Nothing here imports the web layer (``app``).
"""
