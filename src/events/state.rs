//! The app's reactive state: plain signals over the core engine. The event store itself is
//! not reactive (it is large); `version` ticks when it changes, and memos derive the sorted
//! order, the filtered rows and the current page from it.

use leptos::prelude::*;
use trailview_core::cloudtrail::CloudTrailRun;
use trailview_core::columns::{ColumnId, ColumnLayout, LayoutError, Shown, Side};
use trailview_core::dialect::ApiError;
use trailview_core::engine::{EventStore, Filter, PathFilter, PendingPath, Sort, TimeWindow};
use trailview_core::fetch_policy::{EventsRun, Origin, QuerySpec};
use trailview_core::fields::{self, AddPath};
use trailview_core::follow::Follow;
use trailview_core::json_path::JsonPath;
use trailview_core::marks::Marks;
use trailview_core::page::Page;
use trailview_core::table_query::{cycle_sort, set_column_filter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tz {
    Utc,
    Local,
}

impl Tz {
    pub fn key(self) -> &'static str {
        match self {
            Tz::Utc => "utc",
            Tz::Local => "local",
        }
    }
    pub fn from_key(s: &str) -> Tz {
        if s == "local" {
            Tz::Local
        } else {
            Tz::Utc
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchState {
    Idle,
    Running,
    Done,
    Cancelled,
    Error,
}

impl FetchState {
    pub fn key(self) -> &'static str {
        match self {
            FetchState::Idle => "idle",
            FetchState::Running => "running",
            FetchState::Done => "done",
            FetchState::Cancelled => "cancelled",
            FetchState::Error => "error",
        }
    }
}

/// Whether new events are being followed, and what the follower is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Following {
    Off,
    /// A round of calls is running.
    Polling,
    /// Waiting for the next round.
    Waiting,
    /// The tab is hidden: no calls until it is shown.
    Paused,
}

impl Following {
    pub fn key(self) -> &'static str {
        match self {
            Following::Off => "off",
            Following::Polling => "polling",
            Following::Waiting => "waiting",
            Following::Paused => "paused",
        }
    }
}

pub const PAGE_SIZES: [usize; 4] = [25, 50, 100, 250];

/// Below this window height (CSS px) the histogram starts hidden: its ~110 px are four rows
/// of the table on a small laptop screen.
const CHART_MIN_HEIGHT: f64 = 800.0;

/// The localStorage key of the column layout.
const LAYOUT_KEY: &str = "columns";

/// The column layout the user keeps in this browser (the default when none is kept).
pub fn kept_layout() -> ColumnLayout {
    crate::storage::load(LAYOUT_KEY)
        .and_then(|t| ColumnLayout::from_storage(&t))
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub store: StoredValue<EventStore>,
    /// Ticks whenever the store changes.
    pub version: RwSignal<u64>,
    pub sort: RwSignal<Option<Sort>>,
    pub search: RwSignal<String>,
    pub col_filters: RwSignal<Vec<(ColumnId, String)>>,
    /// The table's columns as the user arranged them (kept in this browser).
    pub layout: RwSignal<ColumnLayout>,
    /// The visible columns' ids, in order (changes with the layout's columns, not its widths).
    pub visible_columns: Memo<Vec<ColumnId>>,
    pub path_filters: RwSignal<Vec<PathFilter>>,
    /// The histogram's selection: only events in this window pass (`[start, end)`).
    pub time_window: RwSignal<Option<TimeWindow>>,
    pub page_size: RwSignal<usize>,
    pub page: RwSignal<usize>,
    pub selected: RwSignal<Option<u32>>,
    pub tz: RwSignal<Tz>,
    /// Proxy base URL in effect.
    pub base: RwSignal<String>,
    pub fetch_state: RwSignal<FetchState>,
    /// The running or last fetch: its query, cap, progress and the span it covers.
    pub run: RwSignal<Option<EventsRun>>,
    /// A fetch waiting for the user to say whether it replaces the loaded events or adds to
    /// them (query, cap); its range is pinned when the answer comes.
    pub pending_fetch: RwSignal<Option<(QuerySpec, usize)>>,
    pub error: RwSignal<Option<ApiError>>,
    /// Transient information (retrying, repaired responses, config problems).
    pub notice: RwSignal<Option<String>>,
    /// The last fetch's AWS part (CloudTrail LookupEvents), when it read AWS.
    pub aws_run: RwSignal<Option<CloudTrailRun>>,
    /// The AWS part's error (the Alibaba Cloud part goes on regardless).
    pub aws_error: RwSignal<Option<ApiError>>,
    /// The AWS part's retry notice.
    pub aws_notice: RwSignal<Option<String>>,
    /// Where the loaded events came from, for the progress line when no fetch's run says.
    pub origin: RwSignal<Origin>,
    /// Rows in the current sort order (all rows).
    pub order: Memo<Vec<u32>>,
    /// Rows that pass the client-side filters, in sort order.
    pub filtered: Memo<Vec<u32>>,
    pub page_info: Memo<Page>,
    /// A tree filter's path being read from every event in the background (large stores):
    /// rows not read yet are left out of `filtered` until it is done.
    pub path_indexing: RwSignal<Option<PendingPath>>,
    /// Ticks when background path indexing has made enough progress to show.
    pub index_tick: RwSignal<u64>,
    /// The fields panel is shown (kept in this browser).
    pub fields_open: RwSignal<bool>,
    /// Whether the time histogram is drawn above the table (kept in this browser; at first
    /// shown when the window is tall enough to keep a dozen rows of the table in view).
    pub chart: RwSignal<Shown>,
    /// JSON paths the user added to the fields panel (kept in this browser).
    pub field_paths: RwSignal<Vec<JsonPath>>,
    /// The panel's open fields, by `fields::source_key` (kept in this browser): only these are
    /// counted, and only these added paths are read by the background indexer.
    pub fields_expanded: RwSignal<Vec<String>>,
    /// The fetch the page's link names: the last one asked for, or an opened link's.
    pub link_query: RwSignal<Option<(QuerySpec, usize)>>,
    /// The fetch whose events are loaded (the last one started); a link naming another one
    /// says its events are not the ones shown.
    pub loaded_query: RwSignal<Option<(QuerySpec, usize)>>,
    /// An opened link's event, selected once a fetch brings it in.
    pub linked_event: RwSignal<Option<String>>,
    /// An opened link's histogram window and page, kept through the replace its fetch starts
    /// with.
    pub link_keep: StoredValue<Option<(Option<TimeWindow>, usize)>>,
    /// Events marked in the table (to compare two, or copy): cleared by a Replace.
    pub marks: RwSignal<Marks>,
    /// Following new events (`events::follow`).
    pub following: RwSignal<Following>,
    /// The follower's core state machine while following.
    pub follower: StoredValue<Option<Follow>>,
    /// How far the last follow read (its newest event time, ms): a new follow of the same
    /// events goes on from there. Cleared by a Replace.
    pub followed_to: StoredValue<Option<i64>>,
    /// Rows following added since it started or since the user last went to them ("n new").
    pub follow_new: RwSignal<usize>,
    /// Rows from this one on are held out of the table until the user asks for them ("n new"):
    /// new rows never move the rows a user is reading.
    pub held_from: RwSignal<Option<u32>>,
    /// Select, show and focus the current page's `i`-th row (the table registers it; j / k).
    pub row_nav: StoredValue<Option<Callback<usize>>>,
    /// What the last compiled filter still needs (written by `filtered`, read by the indexer).
    pending: StoredValue<Vec<PendingPath>>,
    indexer_running: StoredValue<bool>,
}

impl AppState {
    /// Whether the AWS part of a fetch is fetching.
    pub fn aws_running(&self) -> bool {
        self.aws_run
            .with(|r| r.as_ref().is_some_and(CloudTrailRun::running))
    }

    pub fn new() -> Self {
        let store = StoredValue::new(EventStore::new());
        let version = RwSignal::new(0u64);
        let sort = RwSignal::new(None::<Sort>);
        let search = RwSignal::new(String::new());
        let col_filters = RwSignal::new(Vec::new());
        let path_filters = RwSignal::new(Vec::new());
        let time_window = RwSignal::new(None::<TimeWindow>);
        let page_size = RwSignal::new(50usize);
        let page = RwSignal::new(0usize);
        let index_tick = RwSignal::new(0u64);
        let held_from = RwSignal::new(None::<u32>);
        let order = Memo::new(move |_| {
            version.track();
            sort.with(|s| {
                // A path column's sort covers more rows as the background indexer reads them
                // (other sorts do not re-sort on its ticks).
                if matches!(
                    s,
                    Some(Sort {
                        column: ColumnId::Path(_),
                        ..
                    })
                ) {
                    index_tick.track();
                }
                store.with_value(|st| st.order(s.as_ref()))
            })
        });
        let pending = StoredValue::new(Vec::new());
        let filtered = Memo::new(move |_| {
            let f = Filter {
                text: search.get(),
                columns: col_filters.get(),
                paths: path_filters.get(),
                time: time_window.get(),
            };
            version.track();
            index_tick.track();
            // `compile` may extend a path column inside the store: not a reactive write.
            let cf = store
                .try_update_value(|st| st.compile(&f))
                .expect("store lives as long as the app");
            let mut need = cf.pending.clone();
            // A sort by a path column needs that column read too.
            if let Some(p) = sort.with(|s| store.with_value(|st| st.sort_pending(s.as_ref()))) {
                if !need.iter().any(|n| n.path == p.path) {
                    need.push(p);
                }
            }
            pending.set_value(need);
            let mut rows = order.with(|o| store.with_value(|st| st.filter(o, &cf)));
            if let Some(h) = held_from.get() {
                rows.retain(|&r| r < h);
            }
            rows
        });
        let page_info =
            Memo::new(move |_| Page::new(filtered.with(|f| f.len()), page_size.get(), page.get()));
        let layout = RwSignal::new(kept_layout());
        let visible_columns = Memo::new(move |_| layout.with(|l| l.visible_ids()));
        let st = AppState {
            store,
            version,
            sort,
            search,
            col_filters,
            layout,
            visible_columns,
            path_filters,
            time_window,
            page_size,
            page,
            selected: RwSignal::new(None),
            tz: RwSignal::new(Tz::from_key(
                &crate::storage::load("tz").unwrap_or_default(),
            )),
            base: RwSignal::new(crate::api::DEFAULT_BASE.to_string()),
            fetch_state: RwSignal::new(FetchState::Idle),
            run: RwSignal::new(None),
            pending_fetch: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            aws_run: RwSignal::new(None),
            aws_error: RwSignal::new(None),
            aws_notice: RwSignal::new(None),
            origin: RwSignal::new(Origin::default()),
            order,
            filtered,
            page_info,
            path_indexing: RwSignal::new(None),
            index_tick,
            fields_open: RwSignal::new(
                crate::storage::load("fields-open").is_some_and(|v| v == "1"),
            ),
            chart: RwSignal::new(match crate::storage::load("chart").as_deref() {
                Some("1") => Shown::Visible,
                Some(_) => Shown::Hidden,
                None => {
                    let tall = web_sys::window()
                        .and_then(|w| w.inner_height().ok())
                        .and_then(|h| h.as_f64())
                        .is_none_or(|h| h >= CHART_MIN_HEIGHT);
                    if tall {
                        Shown::Visible
                    } else {
                        Shown::Hidden
                    }
                }
            }),
            field_paths: RwSignal::new(fields::parse_paths(
                &crate::storage::load("field-paths").unwrap_or_default(),
            )),
            fields_expanded: RwSignal::new(match crate::storage::load("fields-expanded") {
                Some(k) => k.lines().map(str::to_string).collect(),
                None => fields::OPEN_BY_DEFAULT
                    .iter()
                    .map(|&f| fields::source_key(&trailview_core::engine::FacetSource::Field(f)))
                    .collect(),
            }),
            link_query: RwSignal::new(None),
            loaded_query: RwSignal::new(None),
            linked_event: RwSignal::new(None),
            link_keep: StoredValue::new(None),
            marks: RwSignal::new(Marks::default()),
            following: RwSignal::new(Following::Off),
            follower: StoredValue::new(None),
            followed_to: StoredValue::new(None),
            follow_new: RwSignal::new(0),
            held_from,
            row_nav: StoredValue::new(None),
            pending,
            indexer_running: StoredValue::new(false),
        };
        // Start the background indexer when a filter needs a path column that is not complete.
        // Tracks the filter's inputs, not only `filtered`'s value: a memo whose rows stay the
        // same (e.g. still none) notifies nobody, and a second chip would never be read.
        Effect::new(move |_| {
            st.path_filters.track();
            st.sort.track();
            st.version.track();
            st.index_tick.track();
            filtered.track();
            st.fields_open.track();
            st.field_paths.track();
            st.fields_expanded.track();
            if st.next_read().is_some() && !st.indexer_running.get_value() {
                st.indexer_running.set_value(true);
                leptos::task::spawn_local(st.index_paths());
            }
        });
        st
    }

    /// The next path to read from every event: a filter's first (its rows are hidden until
    /// read), else an open added field's in the shown fields panel; with whether it is a
    /// filter's.
    fn next_read(&self) -> Option<(PendingPath, bool)> {
        if let Some(p) = self.pending.with_value(|p| p.first().cloned()) {
            return Some((p, true));
        }
        if !self.fields_open.get_untracked() {
            return None;
        }
        let open = self.fields_expanded.get_untracked();
        self.field_paths.with_untracked(|paths| {
            self.store.with_value(|s| {
                paths
                    .iter()
                    .filter(|p| {
                        let src = trailview_core::engine::FacetSource::Path((*p).clone());
                        open.contains(&fields::source_key(&src))
                    })
                    .map(|p| PendingPath {
                        path: p.clone(),
                        done: s.path_indexed(p),
                        total: s.len(),
                    })
                    .find(|p| p.done < p.total)
                    .map(|p| (p, false))
            })
        })
    }

    /// Paths whose columns must not be evicted while another is read: the filter's and the
    /// panel's.
    fn needed_paths(&self) -> Vec<String> {
        let mut keep: Vec<String> = self
            .pending
            .with_value(|p| p.iter().map(|p| p.path.to_string()).collect());
        self.path_filters
            .with_untracked(|f| keep.extend(f.iter().map(|f| f.path.to_string())));
        self.field_paths
            .with_untracked(|f| keep.extend(f.iter().map(|p| p.to_string())));
        // A path column's sort and filters keep their columns too.
        self.sort.with_untracked(|s| {
            if let Some(Sort {
                column: ColumnId::Path(p),
                ..
            }) = s
            {
                keep.push(p.clone());
            }
        });
        self.col_filters.with_untracked(|f| {
            keep.extend(f.iter().filter_map(|(c, _)| match c {
                ColumnId::Path(p) => Some(p.clone()),
                ColumnId::Builtin(_) => None,
            }))
        });
        keep
    }

    /// Reads pending tree-filter paths (then the fields panel's open added paths) from every
    /// event in slices of ~8 ms, one per animation frame, so typing and scrolling stay
    /// responsive on a large store (at 1M events a cold path takes seconds). Partial results
    /// are shown every ~250 ms; stops when nothing is pending (e.g. the chip was removed).
    async fn index_paths(self) {
        const SLICE_MS: f64 = 8.0;
        const SHOW_EVERY_MS: f64 = 250.0;
        let now = || {
            web_sys::window()
                .and_then(|w| w.performance())
                .map_or(0.0, |p| p.now())
        };
        let mut last_shown = now();
        while let Some((p, for_filter)) = self.next_read() {
            let start = now();
            let mut progress = (p.done, p.total);
            let keep = self.needed_paths();
            while now() - start < SLICE_MS && progress.0 < progress.1 {
                progress = self
                    .store
                    .try_update_value(|s| s.index_path_keeping(&p.path, 256, &keep))
                    .unwrap_or(progress);
            }
            let (done, total) = progress;
            if done >= total {
                // Recompiling shows the full result; the effect in `new` starts another run if
                // another path is still pending.
                self.path_indexing.set(None);
                self.indexer_running.set_value(false);
                self.index_tick.update(|t| *t += 1);
                return;
            }
            if for_filter {
                self.path_indexing.set(Some(PendingPath {
                    path: p.path.clone(),
                    done,
                    total,
                }));
            }
            if now() - last_shown > SHOW_EVERY_MS {
                last_shown = now();
                self.index_tick.update(|t| *t += 1);
            } else {
                // Keep what is pending current without recomputing the filter.
                self.pending.update_value(|v| {
                    if let Some(first) = v.first_mut() {
                        first.done = done;
                        first.total = total;
                    }
                });
            }
            next_frame().await;
        }
        self.path_indexing.set(None);
        self.indexer_running.set_value(false);
    }

    /// Show or hide the time histogram.
    pub fn toggle_chart(&self) {
        let next = match self.chart.get_untracked() {
            Shown::Visible => Shown::Hidden,
            Shown::Hidden => Shown::Visible,
        };
        self.chart.set(next);
        crate::storage::save("chart", if next == Shown::Visible { "1" } else { "0" });
    }

    /// Show or hide the fields panel.
    pub fn toggle_fields(&self) {
        self.fields_open.update(|o| *o = !*o);
        crate::storage::save(
            "fields-open",
            if self.fields_open.get_untracked() {
                "1"
            } else {
                ""
            },
        );
    }

    /// Open or close one field of the panel.
    pub fn toggle_field(&self, key: &str) {
        self.fields_expanded
            .update(|e| match e.iter().position(|k| k == key) {
                Some(i) => {
                    e.remove(i);
                }
                None => e.push(key.to_string()),
            });
        // Kept even when empty (an empty value would read as "never set": the defaults).
        let kept = self.fields_expanded.with_untracked(|e| e.join("\n"));
        crate::storage::save(
            "fields-expanded",
            if kept.is_empty() { "\n" } else { &kept },
        );
    }

    /// Add a JSON path to the fields panel, shown and open.
    pub fn add_field(&self, p: JsonPath) -> AddPath {
        let mut paths = self.field_paths.get_untracked();
        let r = fields::add_path(&mut paths, p.clone());
        if r == AddPath::Added {
            crate::storage::save("field-paths", &fields::format_paths(&paths));
            self.field_paths.set(paths);
            let key = fields::source_key(&trailview_core::engine::FacetSource::Path(p));
            if !self.fields_expanded.with_untracked(|e| e.contains(&key)) {
                self.toggle_field(&key);
            }
        }
        if !self.fields_open.get_untracked() {
            self.toggle_fields();
        }
        r
    }

    pub fn remove_field(&self, p: &JsonPath) {
        self.field_paths.update(|v| v.retain(|x| x != p));
        let kept = self.field_paths.with_untracked(|v| fields::format_paths(v));
        crate::storage::save("field-paths", &kept);
    }

    pub fn set_search(&self, s: String) {
        self.search.set(s);
        self.page.set(0);
    }

    /// A load with Replace takes the store: the loaded events, the selection, the page and
    /// the last fetch's run (its "Load older", its errors) are gone; another load still
    /// writing to the store sees its epoch change and stops.
    pub fn replace_events(&self) {
        self.end_follow();
        self.followed_to.set_value(None);
        self.release_held();
        self.store.update_value(|s| s.clear());
        self.selected.set(None);
        self.marks.update(|m| m.clear());
        // An opened link's page and window hold for the events its fetch brings.
        let keep = self.link_keep.get_value();
        self.link_keep.set_value(None);
        self.page.set(keep.map_or(0, |k| k.1));
        self.run.set(None);
        self.fetch_state.set(FetchState::Idle);
        self.error.set(None);
        self.notice.set(None);
        self.aws_run.set(None);
        self.aws_error.set(None);
        self.aws_notice.set(None);
        // A window into the old events would hide the new ones.
        self.time_window.set(keep.and_then(|k| k.0));
        self.version.update(|v| *v += 1);
    }

    /// Events from `origin` are about to reach the store: the progress line names it (or
    /// "several sources" when they join events of another).
    pub fn loaded_from(&self, origin: Origin) {
        self.loaded_from_after(origin, self.store.with_value(|s| s.len()));
    }

    /// [`AppState::loaded_from`] for events that came into a table that held `held` rows
    /// before them.
    pub fn loaded_from_after(&self, origin: Origin, held: usize) {
        let next = self.origin.with_untracked(|o| o.then(origin, held));
        if self.origin.with_untracked(|o| *o != next) {
            self.origin.set(next);
        }
    }

    /// A fetch of `spec` starts: it is the link's fetch and the loaded one. An opened link's
    /// window and page are kept for it only when it is the link's own fetch (the user may have
    /// changed the range since).
    pub fn link_fetched(&self, spec: &QuerySpec, cap: usize) {
        let fetch = Some((spec.clone(), cap));
        if self.link_query.with_untracked(|q| *q != fetch) {
            self.link_keep.set_value(None);
        }
        self.link_query.set(fetch.clone());
        self.loaded_query.set(fetch);
    }

    /// Selects an opened link's event once it is loaded (called after events arrive). A row
    /// the user selected meanwhile wins.
    pub fn select_linked_event(&self) {
        let Some(id) = self.linked_event.get_untracked() else {
            return;
        };
        if self.selected.get_untracked().is_some() {
            self.linked_event.set(None);
            return;
        }
        if let Some(row) = self.store.with_value(|s| s.row_of_event_id(&id)) {
            self.selected.set(Some(row));
            self.linked_event.set(None);
        }
    }

    /// Marks a row's event, or unmarks it.
    pub fn toggle_mark(&self, row: u32) {
        self.store
            .with_value(|s| self.marks.update(|m| m.toggle(s, row)));
    }

    /// Another load adds rows (a fetch adding to the loaded events, Load older, files added):
    /// rows Follow held behind "n new" are shown first, so the new load's rows are not hidden
    /// behind them.
    pub fn release_held(&self) {
        if self.held_from.get_untracked().is_some() {
            self.held_from.set(None);
        }
        if self.follow_new.get_untracked() != 0 {
            self.follow_new.set(0);
        }
    }

    /// Following stops (a fetch or Cancel took the fetch's runner, or it failed): the rows it
    /// held stay behind "n new" until the user asks for them.
    pub fn end_follow(&self) {
        self.follower.update_value(|f| {
            if let Some(f) = f {
                f.cancel();
                let to = self
                    .followed_to
                    .get_value()
                    .map_or(f.newest_ms(), |t| t.max(f.newest_ms()));
                self.followed_to.set_value(Some(to));
            }
        });
        self.follower.set_value(None);
        if self.following.get_untracked() != Following::Off {
            self.following.set(Following::Off);
        }
    }

    pub fn set_col_filter(&self, col: ColumnId, text: String) {
        self.col_filters.update(|v| set_column_filter(v, col, text));
        self.page.set(0);
    }

    pub fn add_path_filter(&self, f: PathFilter) {
        self.path_filters.update(|v| {
            v.retain(|x| x.path != f.path || x.value != f.value);
            v.push(f);
        });
        self.page.set(0);
    }

    pub fn remove_path_filter(&self, i: usize) {
        self.path_filters.update(|v| {
            if i < v.len() {
                v.remove(i);
            }
        });
        self.page.set(0);
    }

    /// Show only the events in `w` (the histogram's selection), or all again (`None`).
    pub fn set_time_window(&self, w: Option<TimeWindow>) {
        self.time_window.set(w);
        self.page.set(0);
    }

    /// Click on a column header: ascending, then descending, then back to arrival order.
    pub fn toggle_sort(&self, column: ColumnId) {
        self.sort.update(|s| {
            *s = cycle_sort(s.take().map(|s| (s.column, s.order)), column)
                .map(|(column, order)| Sort { column, order });
        });
        self.page.set(0);
    }

    /// The user changes the columns: the layout shown changes and is kept in this browser (a
    /// link's columns are shown with `layout.set`, never kept: only the user's own changes are).
    /// The user's own change to the columns: made to the layout kept in this browser, which is
    /// saved, and to the one shown (the same, unless a link's columns are shown over it: a
    /// change made then is the user's, the link's column set is not).
    pub fn change_layout(&self, mut f: impl FnMut(&mut ColumnLayout)) {
        let mut kept = kept_layout();
        f(&mut kept);
        crate::storage::save(LAYOUT_KEY, &kept.to_storage());
        self.layout.update(|l| f(l));
    }

    /// Shows or hides a column. A hidden column's filter and sort go with it: what filters
    /// and orders the table stays on screen.
    pub fn set_column_shown(&self, id: &ColumnId, shown: Shown) -> Result<(), LayoutError> {
        let mut result = Ok(());
        self.change_layout(|l| result = l.set_shown(id, shown));
        if result.is_ok() && shown == Shown::Hidden {
            self.forget_column(id);
        }
        result
    }

    /// Adds a JSON path as a column (or shows it).
    pub fn add_path_column(&self, path: &str) -> Result<ColumnId, LayoutError> {
        let mut result = Err(LayoutError::TooManyPaths);
        self.change_layout(|l| result = l.add_path(path));
        result
    }

    pub fn remove_path_column(&self, id: &ColumnId) {
        self.change_layout(|l| l.remove_path(id));
        self.forget_column(id);
    }

    pub fn step_column(&self, id: &ColumnId, side: Side) {
        self.change_layout(|l| {
            l.step(id, side);
        });
    }

    pub fn reset_columns(&self) {
        self.change_layout(|l| *l = ColumnLayout::default());
        self.col_filters
            .update(|v| v.retain(|(c, _)| matches!(c, ColumnId::Builtin(_))));
        if self.sort.with_untracked(|s| {
            matches!(
                s,
                Some(Sort {
                    column: ColumnId::Path(_),
                    ..
                })
            )
        }) {
            self.sort.set(None);
        }
    }

    fn forget_column(&self, id: &ColumnId) {
        if self
            .col_filters
            .with_untracked(|v| v.iter().any(|(c, _)| c == id))
        {
            self.col_filters.update(|v| v.retain(|(c, _)| c != id));
            self.page.set(0);
        }
        if self
            .sort
            .with_untracked(|s| s.as_ref().is_some_and(|s| &s.column == id))
        {
            self.sort.set(None);
            self.page.set(0);
        }
    }

    /// The rows of the current page.
    pub fn page_rows(&self) -> Vec<u32> {
        let p = self.page_info.get();
        self.filtered.with(|f| f[p.start..p.end].to_vec())
    }
}

/// Resolves at the next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
