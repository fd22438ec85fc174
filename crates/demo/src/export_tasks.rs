//! CloudWatch Logs export tasks over AWS JSON 1.1 (`POST /`, `X-Amz-Target:
//! Logs_20140328.<Operation>`): DescribeExportTasks and CreateExportTask.
//!
//! * Errors are `{"__type","message"}` with `x-amzn-RequestId` and `X-Amzn-ErrorType`
//!   ([`trailview_core::dialect::AwsError`]); success bodies carry `x-amzn-RequestId` too.
//! * A body that is not a JSON object is `400 SerializationException`; an unknown operation is
//!   `400 UnknownOperationException`.
//! * DescribeExportTasks: `limit` integer 1..=50 (default 50), `statusCode` one of the model's
//!   six codes, `taskId` 1..=512 characters, `nextToken` as returned; anything else is
//!   `400 InvalidParameterException`. (The document's example sends `statusCode: "COMPLETE"`,
//!   which the model's enum does not contain: the demo rejects it like any other bad value.)
//!   Newest first. `nextToken` is `<offset>.<fingerprint of the filters>`, base64url; it is
//!   present only when more tasks match.
//! * CreateExportTask: `logGroupName` (required, `[.\-_/#A-Za-z0-9]+`, 1..=512, must be one of
//!   [`LOG_GROUPS`] else `400 ResourceNotFoundException`), `from` and `to` (required epoch ms,
//!   `from <= to`), `destination` (required, 1..=512), optional `taskName`,
//!   `destinationPrefix` (default `exportedlogs`), `logStreamNamePrefix`. Only one active
//!   (PENDING or RUNNING) task per account: `400 LimitExceededException` "Resource limit
//!   exceeded.", creating nothing. A new task is PENDING for its first 20%, RUNNING until
//!   `job_ms`, then COMPLETED (every seventh FAILED).
//! * Seeded: 300 past tasks across all six codes (PENDING and RUNNING only for the one live task,
//!   since one active task is the rule; PENDING_CANCEL ones are stale), plus two with the
//!   document sample's `COMPLETE`.

use crate::aws_json::{parse_body, AwsErr, PageToken};
use serde_json::{json, Map, Value};
use std::sync::Mutex;
use trailview_core::catalogue::{self, Api};
use trailview_core::dialect::AwsError;
use trailview_core::wire::EXPORT_STATUS_CODES;

pub const DEFAULT_LIMIT: usize = 50;
pub const SEEDED_TASKS: usize = 300;
pub const LOG_GROUPS: [&str; 6] = [
    "/aws/lambda/orders",
    "/aws/lambda/payments",
    "/ecs/web",
    "/ecs/worker",
    "my-log-group",
    "/var/log/audit",
];
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

#[derive(Debug, Clone)]
enum Plan {
    Fixed {
        code: &'static str,
        completion: Option<i64>,
    },
    Live {
        run_ms: i64,
        fails: bool,
    },
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    name: String,
    group: String,
    from: i64,
    to: i64,
    destination: String,
    prefix: String,
    created: i64,
    plan: Plan,
}

impl Task {
    fn state(&self, now: i64) -> (&'static str, Option<i64>) {
        match self.plan {
            Plan::Fixed { code, completion } => (code, completion),
            Plan::Live { run_ms, fails } => {
                let t = now - self.created;
                if t < run_ms / 5 {
                    ("PENDING", None)
                } else if t < run_ms {
                    ("RUNNING", None)
                } else if fails {
                    ("FAILED", Some(self.created + run_ms))
                } else {
                    ("COMPLETED", Some(self.created + run_ms))
                }
            }
        }
    }

    fn active(&self, now: i64) -> bool {
        matches!(self.state(now).0, "PENDING" | "RUNNING")
    }

    fn json(&self, now: i64) -> Value {
        let (code, completion) = self.state(now);
        let message = match code {
            "COMPLETED" | "COMPLETE" => "Completed successfully",
            "FAILED" => "Failed to write to the destination bucket: Access Denied",
            "CANCELLED" => "Cancelled by user",
            "PENDING_CANCEL" => "Cancellation requested",
            "RUNNING" => "Export in progress",
            _ => "Pending",
        };
        let mut info = json!({ "creationTime": self.created });
        if let Some(c) = completion {
            info["completionTime"] = json!(c);
        }
        json!({
            "taskId": self.id,
            "taskName": self.name,
            "logGroupName": self.group,
            "from": self.from,
            "to": self.to,
            "destination": self.destination,
            "destinationPrefix": self.prefix,
            "status": { "code": code, "message": message },
            "executionInfo": info,
        })
    }
}

pub struct ExportTasks {
    tasks: Mutex<Vec<Task>>,
    job_ms: i64,
}

fn invalid(msg: impl Into<String>) -> AwsErr {
    (400, "InvalidParameterException", msg.into())
}

fn task_id(rng: &mut fastrand::Rng) -> String {
    let mut s = String::with_capacity(36);
    for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        for _ in 0..n {
            s.push(b"0123456789abcdef"[rng.usize(..16)] as char);
        }
    }
    s
}

/// The NextTokens of a listing filtered by `status` and `task`.
fn page_token(status: Option<&str>, task: Option<&str>) -> PageToken {
    let field = |f: Option<&str>| f.map_or(b"-".to_vec(), |s| format!("={s}").into_bytes());
    PageToken::of(&[&field(status), &field(task)])
}

impl ExportTasks {
    pub fn new(now: i64, job_seconds: i64, seed: u64) -> ExportTasks {
        let job_ms = job_seconds.max(1) * 1000;
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x6c6f6773);
        let mut tasks = Vec::with_capacity(SEEDED_TASKS + 3);
        // Fixed codes in proportion: mostly completed, some failed / cancelled, a few stale
        // PENDING_CANCEL.
        const FIXED: [&str; 10] = [
            "COMPLETED",
            "COMPLETED",
            "COMPLETED",
            "COMPLETED",
            "COMPLETED",
            "FAILED",
            "FAILED",
            "CANCELLED",
            "CANCELLED",
            "PENDING_CANCEL",
        ];
        let mut created = now - 60 * DAY;
        for i in 0..SEEDED_TASKS {
            created += rng.i64(HOUR..8 * HOUR);
            if created > now - HOUR {
                created = now - HOUR - (SEEDED_TASKS - i) as i64 * 60_000;
            }
            let code = if i == 17 || i == 123 {
                "COMPLETE"
            } else {
                FIXED[rng.usize(..FIXED.len())]
            };
            let to = created - rng.i64(0..2 * DAY);
            let from = to - [HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY][rng.usize(..5)];
            let completion = match code {
                "PENDING_CANCEL" => None,
                _ => Some(created + rng.i64(20_000..40 * 60_000)),
            };
            let group = LOG_GROUPS[rng.usize(..LOG_GROUPS.len())];
            tasks.push(Task {
                id: task_id(&mut rng),
                name: format!(
                    "export-{}-{i:03}",
                    group.trim_start_matches('/').replace('/', "-")
                ),
                group: group.to_string(),
                from,
                to,
                destination: ["audit-archive", "log-exports", "my-destination"][i % 3].to_string(),
                prefix: format!("exportedlogs/{}", group.trim_start_matches('/')),
                created,
                plan: Plan::Fixed { code, completion },
            });
        }
        // The live one: PENDING for a moment, then RUNNING, then COMPLETED.
        let created = now - job_ms / 20;
        tasks.push(Task {
            id: task_id(&mut rng),
            name: "nightly-orders".into(),
            group: LOG_GROUPS[0].into(),
            from: created - DAY,
            to: created - HOUR,
            destination: "log-exports".into(),
            prefix: "exportedlogs/nightly".into(),
            created,
            plan: Plan::Live {
                run_ms: job_ms / 2,
                fails: false,
            },
        });
        ExportTasks {
            tasks: Mutex::new(tasks),
            job_ms,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Task>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Dispatch by `X-Amz-Target`.
    pub fn call(&self, target: &str, body: &[u8], now: i64) -> Result<String, AwsError> {
        let op = Api::CloudWatchLogs
            .operation_of_target(target)
            .and_then(|name| catalogue::find(Api::CloudWatchLogs, name));
        let result = match op {
            _ if target.is_empty() => Err((
                400,
                "UnknownOperationException",
                "Missing X-Amz-Target header.".to_string(),
            )),
            Some(op) if op == &catalogue::DESCRIBE_EXPORT_TASKS => {
                parse_body(body).and_then(|input| self.describe(&input, now))
            }
            Some(op) if op == &catalogue::CREATE_EXPORT_TASK => {
                parse_body(body).and_then(|input| self.create(&input, now))
            }
            _ => Err((
                400,
                "UnknownOperationException",
                format!("The demo backend does not implement {target}."),
            )),
        };
        result.map_err(|(status, kind, msg)| AwsError::new(status, kind, msg))
    }

    pub fn describe(&self, input: &Map<String, Value>, now: i64) -> Result<String, AwsErr> {
        let limit = match input.get("limit") {
            None | Some(Value::Null) => DEFAULT_LIMIT,
            Some(v) => match v.as_i64() {
                Some(n) if (1..=50).contains(&n) => n as usize,
                _ => {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{v}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50"
                    )))
                }
            },
        };
        let status = opt_str(input, "statusCode")?;
        if let Some(s) = status {
            if !EXPORT_STATUS_CODES.contains(&s) {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{s}' at 'statusCode' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    EXPORT_STATUS_CODES.join(", ")
                )));
            }
        }
        let task = opt_str(input, "taskId")?;
        if let Some(t) = task {
            if t.is_empty() || t.chars().count() > 512 {
                return Err(invalid(
                    "1 validation error detected: Value at 'taskId' failed to satisfy constraint: Member must have length between 1 and 512",
                ));
            }
        }
        let tokens = page_token(status, task);
        let offset = match opt_str(input, "nextToken")? {
            None => 0,
            Some(tok) => tokens
                .read(tok)
                .ok_or_else(|| invalid("The specified nextToken is not valid."))?,
        };
        let tasks = self.lock();
        let matching: Vec<&Task> = tasks
            .iter()
            .rev()
            .filter(|t| status.is_none_or(|s| t.state(now).0 == s))
            .filter(|t| task.is_none_or(|id| t.id == id))
            .collect();
        // Every token this service writes points inside the list; a forged offset past its
        // end (up to usize::MAX, where `offset + limit` would wrap) is refused, not wrapped.
        let next = offset
            .checked_add(limit)
            .filter(|_| offset <= matching.len())
            .ok_or_else(|| invalid("The specified nextToken is not valid."))?;
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|t| t.json(now))
            .collect();
        let mut out = json!({ "exportTasks": page });
        if next < matching.len() {
            out["nextToken"] = json!(tokens.write(next));
        }
        Ok(out.to_string())
    }

    pub fn create(&self, input: &Map<String, Value>, now: i64) -> Result<String, AwsErr> {
        let missing = |name: &str| {
            invalid(format!(
                "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
            ))
        };
        let group = opt_str(input, "logGroupName")?.ok_or_else(|| missing("logGroupName"))?;
        let pattern_ok = !group.is_empty()
            && group.len() <= 512
            && group
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_/#".contains(c));
        if !pattern_ok {
            return Err(invalid(format!(
                "1 validation error detected: Value '{group}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
            )));
        }
        let ms = |name: &str| -> Result<i64, AwsErr> {
            match input.get(name) {
                None | Some(Value::Null) => Err(missing(name)),
                Some(v) => v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                    invalid(format!(
                        "1 validation error detected: Value '{v}' at '{name}' failed to satisfy constraint: Member must have value greater than or equal to 0"
                    ))
                }),
            }
        };
        let (from, to) = (ms("from")?, ms("to")?);
        let destination = opt_str(input, "destination")?.ok_or_else(|| missing("destination"))?;
        if destination.is_empty() || destination.len() > 512 {
            return Err(invalid(
                "1 validation error detected: Value at 'destination' failed to satisfy constraint: Member must have length between 1 and 512",
            ));
        }
        let name = opt_str(input, "taskName")?;
        let prefix = opt_str(input, "destinationPrefix")?.unwrap_or("exportedlogs");
        opt_str(input, "logStreamNamePrefix")?;
        if from > to {
            return Err(invalid(
                "Specified time range of 'from' is greater than 'to'.",
            ));
        }
        if !LOG_GROUPS.contains(&group) {
            return Err((
                400,
                "ResourceNotFoundException",
                "The specified log group does not exist.".into(),
            ));
        }
        let mut tasks = self.lock();
        if tasks.iter().any(|t| t.active(now)) {
            return Err((
                400,
                "LimitExceededException",
                "Resource limit exceeded.".into(),
            ));
        }
        let mut rng = fastrand::Rng::with_seed(now as u64 ^ tasks.len() as u64);
        let id = task_id(&mut rng);
        let n = tasks.len();
        tasks.push(Task {
            id: id.clone(),
            name: name.map_or_else(|| id.clone(), str::to_string),
            group: group.to_string(),
            from,
            to,
            destination: destination.to_string(),
            prefix: prefix.to_string(),
            created: now,
            plan: Plan::Live {
                run_ms: self.job_ms,
                fails: n.is_multiple_of(7),
            },
        });
        Ok(json!({ "taskId": id }).to_string())
    }
}

fn opt_str<'a>(input: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, AwsErr> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err((
            400,
            "SerializationException",
            format!("Expected a string for '{name}'."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_717_200_000_000;

    fn input(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn seeded_codes_and_live_progress() {
        let logs = ExportTasks::new(NOW, 100, 42);
        let all: Value =
            serde_json::from_str(&logs.describe(&input(json!({})), NOW).unwrap()).unwrap();
        assert_eq!(all["exportTasks"].as_array().unwrap().len(), 50);
        let tasks = logs.lock();
        let mut codes: Vec<&str> = tasks.iter().map(|t| t.state(NOW).0).collect();
        codes.extend(tasks.iter().map(|t| t.state(NOW + 10_000).0));
        drop(tasks);
        for c in EXPORT_STATUS_CODES.iter().chain(&["COMPLETE"]) {
            assert!(codes.contains(c), "{c}");
        }
        let create = json!({"logGroupName": "/ecs/web", "from": 1, "to": 2, "destination": "b"});
        assert_eq!(
            logs.create(&input(create.clone()), NOW).unwrap_err().1,
            "LimitExceededException"
        );
        let t = NOW + 50_000;
        let v: Value = serde_json::from_str(&logs.create(&input(create), t).unwrap()).unwrap();
        let id = v["taskId"].as_str().unwrap();
        let one = |now| -> String {
            let v: Value =
                serde_json::from_str(&logs.describe(&input(json!({"taskId": id})), now).unwrap())
                    .unwrap();
            v["exportTasks"][0]["status"]["code"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(one(t), "PENDING");
        assert_eq!(one(t + 30_000), "RUNNING");
        assert!(["COMPLETED", "FAILED"].contains(&one(t + 100_000).as_str()));
    }

    #[test]
    fn forged_next_tokens_are_refused() {
        let logs = ExportTasks::new(NOW, 100, 42);
        let page = |token: &str| logs.describe(&input(json!({ "nextToken": token })), NOW);
        let first: Value =
            serde_json::from_str(&logs.describe(&input(json!({})), NOW).unwrap()).unwrap();
        let token = first["nextToken"].as_str().unwrap();
        let second: Value = serde_json::from_str(&page(token).unwrap()).unwrap();
        assert_eq!(second["exportTasks"].as_array().unwrap().len(), 50);
        assert_ne!(second["exportTasks"][0], first["exportTasks"][0]);
        let tokens = page_token(None, None);
        let len = logs.lock().len();
        for offset in [usize::MAX, usize::MAX - 10, len + 1] {
            let forged = tokens.write(offset);
            let (status, code, msg) = page(&forged).unwrap_err();
            assert_eq!(
                (status, code),
                (400, "InvalidParameterException"),
                "{offset}"
            );
            assert!(msg.contains("nextToken"), "{msg}");
        }
        // The end of the list is a valid (empty) page.
        let end = tokens.write(len);
        let last: Value = serde_json::from_str(&page(&end).unwrap()).unwrap();
        assert!(last["exportTasks"].as_array().unwrap().is_empty());
        assert!(last.get("nextToken").is_none());
    }
}
