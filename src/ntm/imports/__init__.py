"""One import frame: a registry of importers (`registry`), the importers of every app
(`catalogue`), the limits of an upload (`limits`) and one runner (`runner`) that does
open → limits → parse → validate → atomic write → report for the pages, the API and the
`ntm import` / `ntm template` commands."""
