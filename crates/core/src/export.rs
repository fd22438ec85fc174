//! Export of the filtered rows: CSV (the table's columns), JSON (an array of the raw events)
//! and NDJSON (one raw event per line), written in chunks so that a caller can hand each part
//! to the browser as it goes (a Blob of parts, never one giant string) and show progress.
//!
//! CSV follows RFC 4180 (a header row, CRLF line ends, a field quoted when it holds `,`, `"`,
//! CR or LF, quotes doubled) and is safe to open in a spreadsheet: a cell that begins with `=`,
//! `+`, `-`, `@`, tab or carriage return is prefixed with `'` (OWASP's advice against CSV
//! injection). That includes a `-` that starts a negative number (`-5` is written `'-5`).

use crate::cloud::Cloud;
use crate::columns::ColumnId;
use crate::engine::EventStore;
use crate::json_path::JsonPath;
use crate::numbers::thousands;
use crate::schema::{Column, Field};
use chrono::DateTime;
use std::borrow::Cow;

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Ndjson,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Json, Format::Ndjson];

    /// The name shown in the Export menu.
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
            Format::Ndjson => "NDJSON",
        }
    }

    /// The file name's extension (also a stable key, e.g. for `data-testid`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
        }
    }

    /// The file's media type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv;charset=utf-8",
            Format::Json => "application/json",
            Format::Ndjson => "application/x-ndjson",
        }
    }
}

/// The text of one table cell; `time` writes the event time (`None`: the event has none).
pub fn cell_text(
    s: &EventStore,
    row: u32,
    col: &ColumnId,
    time: impl FnOnce(Option<i64>) -> String,
) -> String {
    match col {
        ColumnId::Builtin(Column::Time) => time(s.time_ms(row)),
        ColumnId::Builtin(c) => field_cell(s, row, *c).to_string(),
        ColumnId::Path(p) => path_cell(s, row, p),
    }
}

/// A path column's cell ("" for a path that does not parse: no event has it).
fn path_cell(s: &EventStore, row: u32, path: &str) -> String {
    JsonPath::parse(path).map_or_else(String::new, |p| s.path_text(row, &p))
}

/// The text of a cell of a column other than Time, borrowed from the store.
fn field_cell(s: &EventStore, row: u32, col: Column) -> &str {
    match col {
        Column::Result => match s.field(row, Field::ErrorCode) {
            "" => "OK",
            code => code,
        },
        c => s.field(row, c.field().expect("non-time columns are fields")),
    }
}

/// The CSV's Time column: ISO 8601 in UTC (`2026-11-30T10:00:00Z`, milliseconds only when the
/// event has them), which spreadsheets and scripts read unambiguously whatever the viewer's
/// time zone; empty when the event has no time.
fn csv_time(ms: Option<i64>) -> String {
    let Some(d) = ms.and_then(DateTime::from_timestamp_millis) else {
        return String::new();
    };
    let secs = crate::time::format(&d.naive_utc(), "%Y-%m-%dT%H:%M:%S");
    match ms.unwrap_or(0).rem_euclid(1000) {
        0 => format!("{secs}Z"),
        frac => format!("{secs}.{frac:03}Z"),
    }
}

/// A cell as files write it (CSV, Markdown): times in UTC ([`csv_time`]).
fn file_cell<'a>(s: &'a EventStore, row: u32, col: &ColumnId) -> Cow<'a, str> {
    match col {
        ColumnId::Builtin(Column::Time) => Cow::Owned(csv_time(s.time_ms(row))),
        ColumnId::Builtin(c) => Cow::Borrowed(field_cell(s, row, *c)),
        ColumnId::Path(p) => Cow::Owned(path_cell(s, row, p)),
    }
}

/// A CSV column's header: the table's title; the path of a path column.
fn csv_title(c: &ColumnId) -> &str {
    match c {
        ColumnId::Builtin(Column::Time) => "Time (UTC)",
        c => c.title(),
    }
}

/// Appends `cell` as one CSV field: neutralised against formula injection, then quoted if it
/// holds a separator, a quote or a line break.
pub fn push_csv_field(out: &mut String, cell: &str) {
    let neutralise = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let quote = cell
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if quote {
        out.push('"');
    }
    if neutralise {
        out.push('\'');
    }
    if quote {
        for (i, part) in cell.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// Appends `cell` as the text of one Markdown (GitHub table) cell that reads back as `cell`:
/// `\\`, `|` and `<` are backslash-escaped (so a `|` never ends the cell and no `<br>` in
/// the data reads as a line break), and a line break (LF, CRLF or CR) becomes `<br>`, since a
/// table row is one line. What Markdown cannot keep: the spaces and tabs around a cell (a
/// reader trims them) and which line break it was.
pub fn push_markdown_cell(out: &mut String, cell: &str) {
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '|' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
}

/// How rows are copied to the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// CSV as the export writes it (header, the guard against formulas).
    Csv,
    /// A Markdown (GitHub) table.
    Markdown,
}

impl Copied {
    pub fn label(self) -> &'static str {
        match self {
            Copied::Csv => "CSV",
            Copied::Markdown => "Markdown",
        }
    }
}

/// `rows` of `store` as one text in the table's visible `columns` (times in UTC, as the CSV
/// export writes them): what "Copy rows" puts in the clipboard.
pub fn rows_text(store: &EventStore, rows: &[u32], columns: &[ColumnId], how: Copied) -> String {
    match how {
        Copied::Csv => {
            let mut w = ExportWriter::new(Format::Csv, store, rows.to_vec(), columns.to_vec());
            let mut out = String::new();
            while let Ok(Some(part)) = w.next_chunk(store, usize::MAX) {
                out.push_str(&part);
            }
            out
        }
        Copied::Markdown => {
            let mut out = String::new();
            let line = |out: &mut String, cells: &mut dyn Iterator<Item = Cow<str>>| {
                out.push('|');
                for c in cells {
                    out.push(' ');
                    push_markdown_cell(out, &c);
                    out.push_str(" |");
                }
                out.push('\n');
            };
            line(
                &mut out,
                &mut columns.iter().map(|c| Cow::Borrowed(csv_title(c))),
            );
            line(&mut out, &mut columns.iter().map(|_| Cow::Borrowed("---")));
            for &r in rows.iter().filter(|&&r| (r as usize) < store.len()) {
                line(
                    &mut out,
                    &mut columns.iter().map(|c| file_cell(store, r, c)),
                );
            }
            out
        }
    }
}

/// "Copied 2 rows as CSV", "Copied 1 row as Markdown".
pub fn copied_text(rows: usize, how: Copied) -> String {
    let unit = if rows == 1 { "row" } else { "rows" };
    format!("Copied {} {unit} as {}", thousands(rows), how.label())
}

/// "Exporting 12,345 of 100,000 rows".
pub fn progress_text(done: usize, total: usize) -> String {
    format!("Exporting {} of {} rows", thousands(done), thousands(total))
}

/// The store was replaced (or cleared) while an export was being written: its rows are gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreReplaced;

impl std::fmt::Display for StoreReplaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("The loaded events were replaced during the export; nothing was saved.")
    }
}

/// Writes the given rows of a store in one [`Format`], a chunk at a time. The rows are fixed
/// when it starts (the filtered rows in the table's order); events added to the store later
/// are not in the file, and a store that is replaced ends the export with [`StoreReplaced`].
#[derive(Debug, Clone)]
pub struct ExportWriter {
    format: Format,
    rows: Vec<u32>,
    /// The CSV's columns: the table's visible ones, in its order.
    columns: Vec<ColumnId>,
    next: usize,
    epoch: u64,
    /// The header (CSV) or `[` (JSON) is written.
    opened: bool,
    /// The last chunk was handed out.
    closed: bool,
}

impl ExportWriter {
    /// `columns`: what a CSV holds (the table's visible columns, in order; JSON and NDJSON
    /// hold the whole events).
    pub fn new(
        format: Format,
        store: &EventStore,
        rows: Vec<u32>,
        columns: Vec<ColumnId>,
    ) -> ExportWriter {
        ExportWriter {
            format,
            rows,
            columns,
            next: 0,
            epoch: store.epoch(),
            opened: false,
            closed: false,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }
    /// Rows written so far.
    pub fn done(&self) -> usize {
        self.next
    }
    /// Rows the file will hold.
    pub fn total(&self) -> usize {
        self.rows.len()
    }
    pub fn is_finished(&self) -> bool {
        self.closed
    }

    /// "Saved 100,000 rows as trailview-….csv".
    pub fn finished_text(&self, name: &str) -> String {
        format!("Saved {} rows as {name}", thousands(self.total()))
    }

    /// The next part of the file, with up to `max_rows` rows (at least one while rows remain);
    /// the first part starts with the header or the opening bracket and the last one ends the
    /// file. `Ok(None)` once the whole file was handed out.
    pub fn next_chunk(
        &mut self,
        store: &EventStore,
        max_rows: usize,
    ) -> Result<Option<String>, StoreReplaced> {
        if self.closed {
            return Ok(None);
        }
        let end = self.rows.len().min(self.next + max_rows.max(1));
        if store.epoch() != self.epoch
            || self.rows[self.next..end]
                .iter()
                .any(|&r| r as usize >= store.len())
        {
            return Err(StoreReplaced);
        }
        let mut out = String::new();
        if !self.opened {
            self.opened = true;
            match self.format {
                Format::Csv => {
                    for (i, c) in self.columns.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        push_csv_field(&mut out, csv_title(c));
                    }
                    out.push_str("\r\n");
                }
                Format::Json => out.push('['),
                Format::Ndjson => {}
            }
        }
        if self.format == Format::Csv {
            for &row in &self.rows[self.next..end] {
                for (k, c) in self.columns.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    push_csv_field(&mut out, &file_cell(store, row, c));
                }
                out.push_str("\r\n");
            }
        } else {
            // The events' text is decoded straight into the part (no string per event): it is
            // most of an export's time.
            let mut bytes = std::mem::take(&mut out).into_bytes();
            for i in self.next..end {
                let row = self.rows[i];
                if self.format == Format::Json {
                    bytes.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                    store.raw_into(row, &mut bytes);
                } else {
                    // A JSON text holds CR or LF only as whitespace between tokens (inside a
                    // string they must be escaped), so a pretty-printed event becomes one line
                    // without changing its value (a space for each: the same length, in place).
                    let at = bytes.len();
                    store.raw_into(row, &mut bytes);
                    for b in &mut bytes[at..] {
                        if *b == b'\r' || *b == b'\n' {
                            *b = b' ';
                        }
                    }
                    bytes.push(b'\n');
                }
            }
            out = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        }
        self.next = end;
        if self.next == self.rows.len() {
            self.closed = true;
            if self.format == Format::Json {
                out.push_str(if self.rows.is_empty() { "]\n" } else { "\n]\n" });
            }
        }
        Ok(Some(out))
    }
}

/// Where the exported events came from, for the file name: the trail of their cloud.
fn source_name(aliyun: bool, aws: bool) -> &'static str {
    match (aliyun, aws) {
        (true, false) => "actiontrail",
        (false, true) => "cloudtrail",
        (true, true) => "actiontrail-cloudtrail",
        (false, false) => "events",
    }
}

/// `2026-11-30T10-00Z` (no `:`, which some file systems refuse).
fn name_time(ms: i64) -> String {
    let d = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    crate::time::format(&d.naive_utc(), "%Y-%m-%dT%H-%MZ")
}

/// The file name for `rows` of `store`: the trail they came from (ActionTrail, CloudTrail or
/// both, by the events' cloud) and the time range they span (the earliest event's minute to
/// the minute after the latest, in UTC), e.g.
/// `trailview-actiontrail-2026-11-30T10-00Z--2026-12-01T10-00Z.csv`.
pub fn file_name(store: &EventStore, rows: &[u32], format: Format) -> String {
    let (aliyun_label, aws_label) = (Cloud::Aliyun.label(), Cloud::Aws.label());
    let (mut aliyun, mut aws) = (false, false);
    let mut span: Option<(i64, i64)> = None;
    for &r in rows {
        match store.field(r, Field::Cloud) {
            l if l == aliyun_label => aliyun = true,
            l if l == aws_label => aws = true,
            _ => {}
        }
        if let Some(t) = store.time_ms(r) {
            span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
    }
    const MINUTE: i64 = 60_000;
    let range = span.map_or(String::new(), |(a, b)| {
        let start = a.div_euclid(MINUTE) * MINUTE;
        let end = (b.div_euclid(MINUTE) + 1) * MINUTE;
        format!("-{}--{}", name_time(start), name_time(end))
    });
    format!(
        "trailview-{}{range}.{}",
        source_name(aliyun, aws),
        format.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn event(id: &str, t: &str, user: &str, ua: &str) -> String {
        json!({"eventId": id, "eventTime": t, "eventName": "DescribeInstances",
               "serviceName": "Ecs", "userIdentity": {"userName": user, "type": "ram-user"},
               "sourceIpAddress": "10.0.0.1", "eventRW": "Read", "acsRegion": "cn-hangzhou",
               "userAgent": ua, "errorCode": "", "recipientAccountId": "1234"})
        .to_string()
    }

    fn store_of(events: &[String]) -> EventStore {
        let mut s = EventStore::new();
        for e in events {
            s.push(e);
        }
        s
    }

    /// Every built-in column, as the table shows them by default.
    fn table_columns() -> Vec<ColumnId> {
        Column::ALL.into_iter().map(ColumnId::Builtin).collect()
    }

    fn all(s: &EventStore, format: Format, rows: Vec<u32>, step: usize) -> String {
        all_of(s, format, rows, step, table_columns())
    }

    fn all_of(
        s: &EventStore,
        format: Format,
        rows: Vec<u32>,
        step: usize,
        columns: Vec<ColumnId>,
    ) -> String {
        let mut w = ExportWriter::new(format, s, rows, columns);
        let mut out = String::new();
        let mut parts = 0;
        while let Some(part) = w.next_chunk(s, step).unwrap() {
            out.push_str(&part);
            parts += 1;
            assert!(parts < 10_000, "the writer ends");
        }
        assert!(w.is_finished());
        assert_eq!(w.done(), w.total());
        out
    }

    fn field(cell: &str) -> String {
        let mut out = String::new();
        push_csv_field(&mut out, cell);
        out
    }

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(field("\""), "\"\"\"\"");
        assert_eq!(field("王芳 José 🚀"), "王芳 José 🚀");
        assert_eq!(field("王,芳"), "\"王,芳\"");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(
            field("=HYPERLINK(\"http://example.com\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://example.com\"\",\"\"x\"\")\""
        );
        assert_eq!(field("@SUM(1+1)"), "'@SUM(1+1)");
        assert_eq!(field("+1+1"), "'+1+1");
        assert_eq!(field("=1+1"), "'=1+1");
        // A negative number is neutralised too: the cell reads as text, not as -5.
        assert_eq!(field("-5"), "'-5");
        assert_eq!(field("\tcmd"), "'\tcmd");
        assert_eq!(field("\r=1"), "\"'\r=1\"");
        // Only the first character counts.
        assert_eq!(field("a=1"), "a=1");
        assert_eq!(field("x-@+"), "x-@+");
        assert_eq!(field(" =1"), " =1");
    }

    /// The CSV holds the table's visible columns in its order, path columns included (their
    /// values as the cells show them, guarded like every cell).
    #[test]
    fn csv_holds_the_columns_it_is_given() {
        let s = store_of(&[
            json!({"eventId": "a", "eventTime": "2026-11-30T10:00:00Z", "eventName": "Run",
                   "requestParameters": {"RegionId": "cn-hangzhou", "Count": 2, "Note": "=1+1"}})
            .to_string(),
            json!({"eventId": "b", "eventName": "Stop"}).to_string(),
        ]);
        let cols = vec![
            ColumnId::Path("requestParameters.RegionId".into()),
            ColumnId::Builtin(Column::Event),
            ColumnId::Path("requestParameters.Count".into()),
            ColumnId::Path("requestParameters.Note".into()),
            ColumnId::Builtin(Column::Time),
        ];
        assert_eq!(
            all_of(&s, Format::Csv, vec![1, 0], 1, cols),
            "requestParameters.RegionId,Event,requestParameters.Count,requestParameters.Note,Time (UTC)\r\n\
             ,Stop,,,\r\n\
             cn-hangzhou,Run,2,'=1+1,2026-11-30T10:00:00Z\r\n"
        );
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row_in_the_given_order() {
        let s = store_of(&[
            event("a", "2026-11-30T10:00:00Z", "alice", "ua"),
            event(
                "b",
                "2026-11-30T11:00:00.250Z",
                "=HYPERLINK(\"http://example.com\",\"x\")",
                "ua",
            ),
            event("c", "2026-11-30T12:00:00Z", "王芳", "ua"),
        ]);
        let csv = all(&s, Format::Csv, vec![2, 1], 1);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "Time (UTC),Event,Service,User,Source IP,R/W,Region,Result,Cloud,Account",
                "2026-11-30T12:00:00Z,DescribeInstances,Ecs,王芳,10.0.0.1,Read,cn-hangzhou,OK,Alibaba Cloud,1234",
                "2026-11-30T11:00:00.250Z,DescribeInstances,Ecs,\"'=HYPERLINK(\"\"http://example.com\"\",\"\"x\"\")\",10.0.0.1,Read,cn-hangzhou,OK,Alibaba Cloud,1234",
                "",
            ]
        );
    }

    #[test]
    fn csv_of_an_event_without_time_or_fields() {
        let s = store_of(&["[1,2]".to_string()]);
        let csv = all(&s, Format::Csv, vec![0], 10);
        assert_eq!(csv.lines().nth(1), Some(",,,,,,,OK,,"));
    }

    #[test]
    fn empty_exports() {
        let s = EventStore::new();
        let csv = all(&s, Format::Csv, vec![], 100);
        assert_eq!(csv.matches("\r\n").count(), 1, "the header only: {csv:?}");
        let json = all(&s, Format::Json, vec![], 100);
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), json!([]));
        assert_eq!(all(&s, Format::Ndjson, vec![], 100), "");
    }

    fn sample() -> (EventStore, Vec<String>) {
        let mut events = vec![
            event(
                "a",
                "2026-11-30T10:00:00Z",
                "alice",
                "=HYPERLINK(\"http://example.com\",\"x\")",
            ),
            event(
                "b",
                "2026-11-30T10:00:01Z",
                "王芳",
                "line\nbreak \"quoted\"",
            ),
            "{\n  \"eventId\": \"pretty\",\r\n  \"eventName\": \"a\\nb\"\n}".to_string(),
        ];
        for i in 0..40 {
            events.push(event(
                &format!("n{i}"),
                "2026-12-01T09:59:30Z",
                "bob",
                "@SUM(1+1)",
            ));
        }
        (store_of(&events), events)
    }

    #[test]
    fn json_and_ndjson_parse_back_to_the_same_events() {
        let (s, events) = sample();
        let rows: Vec<u32> = (0..s.len() as u32).rev().collect();
        let want: Vec<Value> = rows
            .iter()
            .map(|&r| serde_json::from_str(&events[r as usize]).unwrap())
            .collect();
        let json = all(&s, Format::Json, rows.clone(), 7);
        let got: Vec<Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(got, want);
        assert!(
            json.contains(&events[2]),
            "raw events are written exactly as stored"
        );

        let nd = all(&s, Format::Ndjson, rows, 7);
        let lines: Vec<&str> = nd.split_terminator('\n').collect();
        assert_eq!(lines.len(), want.len());
        assert!(nd.ends_with('\n'));
        let got: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn chunk_boundaries_do_not_change_the_file() {
        let (s, _) = sample();
        let rows: Vec<u32> = (0..s.len() as u32).collect();
        for format in Format::ALL {
            let one = all(&s, format, rows.clone(), usize::MAX);
            for step in [0, 1, 2, 3, 5, 42, 43, 44] {
                assert_eq!(
                    all(&s, format, rows.clone(), step),
                    one,
                    "{format:?} by {step}"
                );
            }
        }
    }

    #[test]
    fn progress_counts_rows() {
        let (s, _) = sample();
        let mut w = ExportWriter::new(
            Format::Csv,
            &s,
            (0..s.len() as u32).collect(),
            table_columns(),
        );
        assert_eq!(progress_text(w.done(), w.total()), "Exporting 0 of 43 rows");
        w.next_chunk(&s, 40).unwrap();
        assert_eq!(
            progress_text(w.done(), w.total()),
            "Exporting 40 of 43 rows"
        );
        assert!(!w.is_finished());
        assert_eq!(
            progress_text(12_345, 100_000),
            "Exporting 12,345 of 100,000 rows"
        );
        while w.next_chunk(&s, 40).unwrap().is_some() {}
        assert_eq!(w.finished_text("f.csv"), "Saved 43 rows as f.csv");
    }

    #[test]
    fn a_replaced_store_ends_the_export() {
        let (mut s, _) = sample();
        let mut w = ExportWriter::new(
            Format::Json,
            &s,
            (0..s.len() as u32).collect(),
            table_columns(),
        );
        assert!(w.next_chunk(&s, 5).unwrap().is_some());
        s.clear();
        assert_eq!(w.next_chunk(&s, 5), Err(StoreReplaced));
    }

    #[test]
    fn file_names_say_the_trail_and_the_time_range() {
        let (s, _) = sample();
        let rows: Vec<u32> = (0..s.len() as u32).collect();
        assert_eq!(
            file_name(&s, &rows, Format::Csv),
            "trailview-actiontrail-2026-11-30T10-00Z--2026-12-01T10-00Z.csv"
        );
        assert_eq!(
            file_name(&s, &[1], Format::Ndjson),
            "trailview-actiontrail-2026-11-30T10-00Z--2026-11-30T10-01Z.ndjson"
        );
        let aws = json!({"eventID": "x", "eventTime": "2026-01-02T03:04:05Z",
                         "eventSource": "ec2.amazonaws.com", "recipientAccountId": "1",
                         "awsRegion": "us-east-1", "eventVersion": "1.08"})
        .to_string();
        let mut both = store_of(&[event("a", "2026-01-01T00:00:00Z", "u", "ua")]);
        both.push(&aws);
        assert_eq!(
            file_name(&both, &[1], Format::Json),
            "trailview-cloudtrail-2026-01-02T03-04Z--2026-01-02T03-05Z.json"
        );
        assert_eq!(
            file_name(&both, &[0, 1], Format::Json),
            "trailview-actiontrail-cloudtrail-2026-01-01T00-00Z--2026-01-02T03-05Z.json"
        );
        assert_eq!(
            file_name(&EventStore::new(), &[], Format::Csv),
            "trailview-events.csv"
        );
    }

    /// A GitHub-flavoured reader of one table line: cells split at each `|` not escaped,
    /// trimmed of spaces and tabs, backslash escapes of ASCII punctuation undone, `<br>` a
    /// line break.
    fn read_markdown_line(line: &str) -> Vec<String> {
        let mut cells = vec![String::new()];
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {
                    cells.last_mut().unwrap().push('\\');
                    cells.last_mut().unwrap().push(chars.next().unwrap());
                }
                '|' => cells.push(String::new()),
                c => cells.last_mut().unwrap().push(c),
            }
        }
        // The line starts and ends with `|`.
        assert_eq!(cells.first().map(String::as_str), Some(""));
        assert_eq!(cells.last().map(String::as_str), Some(""));
        cells[1..cells.len() - 1]
            .iter()
            .map(|raw| {
                let raw = raw.trim_matches([' ', '\t']);
                let mut out = String::new();
                let mut rest = raw;
                while let Some(c) = rest.chars().next() {
                    if let Some(r) = rest.strip_prefix("<br>") {
                        out.push('\n');
                        rest = r;
                    } else if c == '\\'
                        && rest[1..]
                            .chars()
                            .next()
                            .is_some_and(|n| n.is_ascii_punctuation())
                    {
                        let n = rest[1..].chars().next().unwrap();
                        out.push(n);
                        rest = &rest[1 + n.len_utf8()..];
                    } else {
                        out.push(c);
                        rest = &rest[c.len_utf8()..];
                    }
                }
                out
            })
            .collect()
    }

    /// What a Markdown cell keeps of `cell`: its text without the spaces and tabs around it,
    /// every line break a `\n`.
    fn markdown_kept(cell: &str) -> String {
        cell.replace("\r\n", "\n")
            .replace('\r', "\n")
            .trim_matches([' ', '\t'])
            .to_string()
    }

    fn md(cell: &str) -> String {
        let mut out = String::new();
        push_markdown_cell(&mut out, cell);
        out
    }

    #[test]
    fn markdown_cells_escape_pipes_backslashes_and_line_breaks() {
        assert_eq!(md("plain 王芳"), "plain 王芳");
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("C:\\dir\\"), "C:\\\\dir\\\\");
        assert_eq!(md("\\|"), "\\\\\\|");
        assert_eq!(
            md("two\nlines\r\nthree\rfour"),
            "two<br>lines<br>three<br>four"
        );
        assert_eq!(md("<br><script>"), "\\<br>\\<script>");
        assert_eq!(md("=1+1"), "=1+1", "Markdown runs no formulas");
    }

    #[test]
    fn copied_rows_as_csv_and_markdown() {
        let s = store_of(&[
            event("a", "2026-11-30T10:00:00Z", "al|ice", "ua"),
            event("b", "2026-11-30T11:00:00Z", "=HYPERLINK(\"x\")", "ua"),
        ]);
        let cols = vec![
            ColumnId::Builtin(Column::Time),
            ColumnId::Builtin(Column::User),
            ColumnId::Path("userAgent".into()),
        ];
        assert_eq!(
            rows_text(&s, &[1, 0], &cols, Copied::Csv),
            "Time (UTC),User,userAgent\r\n\
             2026-11-30T11:00:00Z,\"'=HYPERLINK(\"\"x\"\")\",ua\r\n\
             2026-11-30T10:00:00Z,al|ice,ua\r\n"
        );
        let md = rows_text(&s, &[0], &cols, Copied::Markdown);
        assert_eq!(
            md,
            "| Time (UTC) | User | userAgent |\n\
             | --- | --- | --- |\n\
             | 2026-11-30T10:00:00Z | al\\|ice | ua |\n"
        );
        let lines: Vec<Vec<String>> = md.lines().map(read_markdown_line).collect();
        assert_eq!(lines[2], ["2026-11-30T10:00:00Z", "al|ice", "ua"]);
        assert_eq!(copied_text(1, Copied::Markdown), "Copied 1 row as Markdown");
        assert_eq!(copied_text(2_000, Copied::Csv), "Copied 2,000 rows as CSV");
    }

    proptest::proptest! {
        /// A table of any cells, read back by a Markdown reader, has the same cells (what
        /// Markdown keeps of them: see `push_markdown_cell`), row by row.
        #[test]
        fn markdown_tables_read_back_to_the_same_cells(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        ".*",
                        "[|\\\\<>br \t\r\n`*_a]{0,12}",
                    ],
                    3,
                ),
                0..6,
            )
        ) {
            let mut text = String::new();
            for r in &rows {
                text.push('|');
                for c in r {
                    text.push(' ');
                    push_markdown_cell(&mut text, c);
                    text.push_str(" |");
                }
                text.push('\n');
            }
            let lines: Vec<&str> = text.lines().collect();
            proptest::prop_assert_eq!(lines.len(), rows.len(), "one line per row");
            for (line, r) in lines.iter().zip(&rows) {
                let want: Vec<String> = r.iter().map(|c| markdown_kept(c)).collect();
                proptest::prop_assert_eq!(read_markdown_line(line), want);
            }
        }
    }

    /// `cargo test -p trailview-core --release --lib -- --ignored --nocapture export_100k`
    #[test]
    #[ignore]
    fn export_100k_timing() {
        let events: Vec<String> = (0..100_000)
            .map(|i| {
                event(
                    &format!("id-{i}"),
                    "2026-11-30T10:00:00Z",
                    "王芳",
                    "aliyun-sdk-java/4.5",
                )
            })
            .collect();
        let s = store_of(&events);
        let rows: Vec<u32> = (0..s.len() as u32).collect();
        for format in Format::ALL {
            let t = std::time::Instant::now();
            let bytes = all(&s, format, rows.clone(), 256).len();
            println!(
                "{format:?}: 100k rows, {} MB in {:?}",
                bytes / 1_000_000,
                t.elapsed()
            );
        }
    }
}
