//! The query bar's form checked before anything is sent: the time range, the server-side
//! LookupAttribute conditions (the service's pairing rules) and the cap, with the messages the
//! user sees. A preset range stays relative: it is pinned to the clock only when the fetch
//! starts (`QuerySpec::at`), so nothing here reads or takes "now".

use crate::cloud::Clouds;
use crate::cloudtrail;
use crate::fetch_policy::{Direction, QuerySpec, TimeRange};
use crate::lookup::{effective_conditions, LookupNote};
use crate::time::{check_range, RangePreset};

/// The events a fetch loads at most unless the user changes it.
pub const DEFAULT_CAP: usize = 5_000;

/// The form as the user filled it in, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryInput {
    pub preset: RangePreset,
    /// The custom range's inputs (read only for `RangePreset::Custom`).
    pub start: String,
    pub end: String,
    /// The condition rows in order, as (key, value); a row without a key is skipped.
    pub conditions: Vec<(String, String)>,
    pub direction: Direction,
    pub cap: String,
    pub clouds: Clouds,
}

/// A form that can be sent: the query, the cap and notes on how the service will read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedQuery {
    pub spec: QuerySpec,
    pub cap: usize,
    pub notes: Vec<String>,
}

/// Checks the form; `parse_time` reads a custom range input in the user's time zone. `Err` is
/// the message shown in place of sending.
pub fn check(
    input: &QueryInput,
    parse_time: &dyn Fn(&str) -> Option<i64>,
) -> Result<CheckedQuery, String> {
    if !input.clouds.any() {
        return Err("Choose Alibaba Cloud, AWS or both.".into());
    }
    let range = match input.preset {
        RangePreset::Custom => {
            let s = parse_time(&input.start).ok_or("Enter a valid start time.")?;
            let e = parse_time(&input.end).ok_or("Enter a valid end time.")?;
            check_range(s, e)?;
            TimeRange::Between(s, e)
        }
        p => TimeRange::Last(p),
    };
    let given: Vec<(String, String)> = input
        .conditions
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    let (conditions, notes) = effective_conditions(&given).map_err(|e| e.to_string())?;
    let cap: usize = input
        .cap
        .trim()
        .parse()
        .map_err(|_| "The cap must be a whole number of events.")?;
    if cap == 0 {
        return Err("The cap must be at least 1 event.".into());
    }
    let aws_note = input
        .clouds
        .aws
        .then(|| cloudtrail::conditions_note(&conditions))
        .flatten();
    let aws_order = (input.clouds.aws && input.direction == Direction::Forward)
        .then(|| cloudtrail::ORDER_NOTE.to_string());
    Ok(CheckedQuery {
        spec: QuerySpec {
            range,
            clouds: input.clouds,
            direction: input.direction,
            conditions,
        },
        cap,
        notes: notes
            .iter()
            .map(note_text)
            .chain(aws_note)
            .chain(aws_order)
            .collect(),
    })
}

/// A note as the query bar words it.
pub fn note_text(note: &LookupNote) -> String {
    match note {
        LookupNote::SameKey(k) => format!("{k} is given twice: the service uses only the second."),
        LookupNote::Truncated { given } => {
            format!("{given} conditions: the service uses only the first two.")
        }
    }
}

/// The custom range a data window opens: at least a minute long, so it always passes
/// [`check`].
pub fn window_range(start: i64, end: i64) -> (i64, i64) {
    (start, end.max(start + 60_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::LookupKey;
    use crate::time::parse_rfc3339_ms;

    fn input() -> QueryInput {
        QueryInput {
            preset: RangePreset::Days7,
            start: "2024-01-01T00:00:00Z".into(),
            end: "2024-01-02T00:00:00Z".into(),
            conditions: vec![
                (String::new(), String::new()),
                (String::new(), String::new()),
            ],
            direction: Direction::Backward,
            cap: DEFAULT_CAP.to_string(),
            clouds: Clouds::default(),
        }
    }

    #[test]
    fn clouds_one_or_both_and_what_cloudtrail_cannot_take() {
        let mut i = input();
        i.clouds = Clouds {
            aliyun: false,
            aws: false,
        };
        assert_eq!(
            check(&i, &|_| None).unwrap_err(),
            "Choose Alibaba Cloud, AWS or both."
        );
        i.clouds.aws = true;
        i.conditions[0] = ("ServiceName".into(), "Ecs".into());
        i.conditions[1] = ("EventName".into(), "StopInstances".into());
        let q = check(&i, &|_| None).unwrap();
        assert!(q.spec.clouds.aws && !q.spec.clouds.aliyun);
        assert_eq!(q.notes.len(), 1, "{:?}", q.notes);
        assert!(
            q.notes[0].contains("ServiceName is applied"),
            "{:?}",
            q.notes
        );
        // Alibaba Cloud only: no AWS note.
        i.clouds = Clouds::default();
        assert!(check(&i, &|_| None).unwrap().notes.is_empty());
    }

    fn parse(s: &str) -> Option<i64> {
        parse_rfc3339_ms(s)
    }

    #[test]
    fn a_preset_stays_relative_and_the_default_passes() {
        let q = check(&input(), &parse).unwrap();
        assert_eq!(q.spec.range, TimeRange::Last(RangePreset::Days7));
        assert_eq!(q.spec.direction, Direction::Backward);
        assert!(q.spec.conditions.is_empty());
        assert_eq!(q.cap, 5_000);
        assert!(q.notes.is_empty());
        // The custom inputs are not read for a preset.
        let f = QueryInput {
            start: "nonsense".into(),
            ..input()
        };
        assert!(check(&f, &parse).is_ok());
    }

    #[test]
    fn custom_range_messages() {
        let custom = |start: &str, end: &str| QueryInput {
            preset: RangePreset::Custom,
            start: start.into(),
            end: end.into(),
            ..input()
        };
        let ok = check(
            &custom("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
            &parse,
        )
        .unwrap();
        assert_eq!(
            ok.spec.range,
            TimeRange::Between(
                parse("2024-01-01T00:00:00Z").unwrap(),
                parse("2024-01-02T00:00:00Z").unwrap()
            )
        );
        assert_eq!(
            check(&custom("", "2024-01-02T00:00:00Z"), &parse),
            Err("Enter a valid start time.".into())
        );
        assert_eq!(
            check(&custom("2024-01-01T00:00:00Z", "x"), &parse),
            Err("Enter a valid end time.".into())
        );
        assert_eq!(
            check(
                &custom("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"),
                &parse
            ),
            Err("The end time must be later than the start time.".into())
        );
    }

    #[test]
    fn conditions_are_trimmed_paired_and_noted() {
        let with = |c: &[(&str, &str)]| QueryInput {
            conditions: c
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..input()
        };
        let q = check(
            &with(&[("EventName", " ConsoleSignin "), ("", "ignored")]),
            &parse,
        )
        .unwrap();
        assert_eq!(q.spec.conditions.len(), 1);
        assert_eq!(q.spec.conditions[0].key, LookupKey::EventName);
        assert_eq!(q.spec.conditions[0].value, "ConsoleSignin");
        assert_eq!(
            check(&with(&[("EventName", "  ")]), &parse),
            Err("EventName needs a value".into())
        );
        let e = check(&with(&[("EventName", "a"), ("User", "b")]), &parse).unwrap_err();
        assert!(
            e.starts_with("EventName cannot be combined with User."),
            "{e}"
        );
        let q = check(&with(&[("EventName", "a"), ("EventName", "b")]), &parse).unwrap();
        assert_eq!(
            q.notes,
            vec!["EventName is given twice: the service uses only the second."]
        );
        assert_eq!(
            note_text(&LookupNote::Truncated { given: 3 }),
            "3 conditions: the service uses only the first two."
        );
    }

    #[test]
    fn cap_messages() {
        let cap = |c: &str| QueryInput {
            cap: c.into(),
            ..input()
        };
        assert_eq!(check(&cap(" 20 "), &parse).unwrap().cap, 20);
        assert_eq!(
            check(&cap("1.5"), &parse),
            Err("The cap must be a whole number of events.".into())
        );
        assert_eq!(
            check(&cap(""), &parse),
            Err("The cap must be a whole number of events.".into())
        );
        assert_eq!(
            check(&cap("0"), &parse),
            Err("The cap must be at least 1 event.".into())
        );
    }

    #[test]
    fn a_window_opens_at_least_a_minute() {
        assert_eq!(window_range(1_000, 500_000), (1_000, 500_000));
        assert_eq!(window_range(1_000, 1_000), (1_000, 61_000));
    }
}
