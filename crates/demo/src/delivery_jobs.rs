//! ActionTrail delivery history ("backfill") jobs: ListDeliveryHistoryJobs,
//! CreateDeliveryHistoryJob, GetDeliveryHistoryJob and DeleteDeliveryHistoryJob.
//!
//! * The demo account has the trails in [`TRAILS`]; any other `TrailName` is
//!   `404 TrailNotFoundException "The specified Trail does not exist."` (the API document's).
//! * `ClientToken` (optional; ASCII, at most 64 characters, else `400 InvalidParameter`) makes
//!   creation idempotent: the same token returns the first call's JobId and creates nothing,
//!   whatever state that job is in now. The same token with another TrailName is
//!   `400 IdempotentParameterMismatch` (Alibaba's usual code for that case).
//! * Only one job may be initializing or delivering per account (the API document's limit). A
//!   second create is `400 DeliveryHistoryJobRunningException` and creates nothing. The code is
//!   the demo's choice: the document names no code for it; this one follows the API's
//!   `...Exception` naming (as `TrailNotFoundException`) and says which job is running.
//! * A new job goes 0 initializing (the first 15% of its run) → 1 delivering → 2 complete (or 3
//!   failed, for every fifth job) after `job_ms` (default 120 s; `TRAILVIEW_DEMO_JOB_SECONDS`).
//!   Progress is computed from the clock on every read: nothing runs in the background.
//!   It delivers the 90 days of events before its creation (`StartTime`–`EndTime`), as the
//!   service does; `UpdatedTime` is the last status change.
//! * ListDeliveryHistoryJobs: `PageNumber` integer >= 1 (default 1), `PageSize` 1..=100 (default
//!   20); other values are `400 InvalidParameter`. Newest job first. A page past the end is an
//!   empty list with the real `TotalCount`.
//! * Get/Delete: `JobId` required (`MissingParameter`), an integer (`InvalidParameter`), known
//!   (`404 DeliveryHistoryJobNotFoundException`, again the demo's choice of name). A running job
//!   cannot be deleted (`400 DeliveryHistoryJobRunningException`).
//! * Seeded: dozens of past jobs, complete and failed, over the past 90 days, plus one live job
//!   started just before the server, so the list shows every status at first.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use trailview_core::dialect::AlibabaError;
use trailview_core::dialect::RpcParams;
use trailview_core::time::format_api_time;

/// The demo account's trails and their home regions.
pub const TRAILS: [(&str, &str); 4] = [
    ("trail-name", "cn-hangzhou"),
    ("audit-all-regions", "cn-hangzhou"),
    ("security-trail", "cn-shanghai"),
    ("ops-trail", "cn-beijing"),
];
/// Regions each job reports a status for (GetDeliveryHistoryJob's `Status`).
pub const REGIONS: [&str; 4] = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];
pub const DEFAULT_JOB_SECONDS: i64 = 120;
pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;
pub const SEEDED_JOBS: usize = 48;
const DAY: i64 = 86_400_000;
const WINDOW_MS: i64 = 90 * DAY;

#[derive(Debug, Clone)]
enum Plan {
    /// Finished before the server started.
    Done { status: i64, updated: i64 },
    /// Progresses with the clock from `created` over `run_ms`.
    Live { run_ms: i64, fails: bool },
}

#[derive(Debug, Clone)]
struct Job {
    id: i64,
    trail: &'static str,
    region: &'static str,
    created: i64,
    start: i64,
    end: i64,
    plan: Plan,
}

impl Job {
    /// (JobStatus, UpdatedTime) at `now`.
    fn status_at(&self, now: i64) -> (i64, i64) {
        match self.plan {
            Plan::Done { status, updated } => (status, updated),
            Plan::Live { run_ms, fails } => {
                let init = run_ms * 15 / 100;
                let t = now - self.created;
                if t < init {
                    (0, self.created)
                } else if t < run_ms {
                    (1, self.created + init)
                } else {
                    (if fails { 3 } else { 2 }, self.created + run_ms)
                }
            }
        }
    }

    fn running(&self, now: i64) -> bool {
        self.status_at(now).0 < 2
    }

    fn json(&self, now: i64) -> Value {
        let (status, updated) = self.status_at(now);
        json!({
            "JobId": self.id,
            "TrailName": self.trail,
            "HomeRegion": self.region,
            "JobStatus": status,
            "CreatedTime": format_api_time(self.created),
            "UpdatedTime": format_api_time(updated),
            "StartTime": format_api_time(self.start),
            "EndTime": format_api_time(self.end),
        })
    }

    /// Per-region status: regions finish one after another; a failed job fails in one region.
    fn regions(&self, now: i64) -> Value {
        let (status, _) = self.status_at(now);
        let n = REGIONS.len() as i64;
        let list: Vec<Value> = REGIONS
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let i = i as i64;
                let s = match (&self.plan, status) {
                    (_, 0) => 0,
                    (Plan::Live { run_ms, .. }, 1) => {
                        let init = run_ms * 15 / 100;
                        let done_at = self.created + init + (run_ms - init) * (i + 1) / (n + 1);
                        if now >= done_at {
                            2
                        } else {
                            1
                        }
                    }
                    (_, 1) => 1,
                    (_, 3) if i == self.id % n => 3,
                    (_, _) => 2,
                };
                json!({ "Region": r, "Status": s })
            })
            .collect();
        Value::Array(list)
    }
}

struct Inner {
    jobs: Vec<Job>,
    tokens: HashMap<String, (i64, &'static str)>,
    next_id: i64,
}

pub struct DeliveryJobs {
    inner: Mutex<Inner>,
    job_ms: i64,
}

fn err(status: u16, code: &'static str, msg: impl Into<String>) -> AlibabaError {
    AlibabaError::new(status, code, msg)
}

fn int_param(req: &RpcParams, name: &str) -> Result<Option<i64>, AlibabaError> {
    match req.get(name) {
        None | Some("") => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            AlibabaError::invalid_parameter(name, &format!("'{v}' is not an integer."))
        }),
    }
}

impl DeliveryJobs {
    /// Seed past jobs before `now`; `job_seconds` is how long a new job takes.
    pub fn new(now: i64, job_seconds: i64, seed: u64) -> DeliveryJobs {
        let job_ms = job_seconds.max(1) * 1000;
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x6a6f6273);
        let mut jobs = Vec::new();
        let mut id = 16_602;
        // Oldest first, every one to four days.
        let mut created = now - 95 * DAY;
        for i in 0..SEEDED_JOBS {
            created += rng.i64(DAY / 2..2 * DAY);
            if created > now - DAY / 4 {
                break;
            }
            let (trail, region) = TRAILS[rng.usize(..TRAILS.len())];
            let dur = rng.i64(90_000..45 * 60_000);
            let status = if i % 6 == 4 { 3 } else { 2 };
            // Backfill windows: the 90 days before creation, or a shorter span for older API
            // versions' jobs (shows different window lengths on the timeline).
            let days = [90, 90, 30, 14, 7][rng.usize(..5)];
            jobs.push(Job {
                id,
                trail,
                region,
                created,
                start: created - days * DAY,
                end: created,
                plan: Plan::Done {
                    status,
                    updated: created + dur,
                },
            });
            id += rng.i64(1..40);
        }
        // One live job (half a run long) started a twentieth of a run ago: initializing at
        // first, then delivering, then complete.
        jobs.push(Job {
            id,
            trail: TRAILS[0].0,
            region: TRAILS[0].1,
            created: now - job_ms / 20,
            start: now - job_ms / 20 - WINDOW_MS,
            end: now - job_ms / 20,
            plan: Plan::Live {
                run_ms: job_ms / 2,
                fails: false,
            },
        });
        DeliveryJobs {
            inner: Mutex::new(Inner {
                jobs,
                tokens: HashMap::new(),
                next_id: id + 1,
            }),
            job_ms,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn list(
        &self,
        req: &RpcParams,
        now: i64,
        request_id: &str,
    ) -> Result<String, AlibabaError> {
        let page = int_param(req, "PageNumber")?.unwrap_or(1);
        if page < 1 {
            return Err(AlibabaError::invalid_parameter(
                "PageNumber",
                "Pages start from 1.",
            ));
        }
        let size = int_param(req, "PageSize")?.unwrap_or(DEFAULT_PAGE_SIZE as i64);
        if !(1..=MAX_PAGE_SIZE as i64).contains(&size) {
            return Err(AlibabaError::invalid_parameter(
                "PageSize",
                "Valid values: 1 to 100.",
            ));
        }
        let inner = self.lock();
        let total = inner.jobs.len();
        let skip = ((page - 1) as usize).saturating_mul(size as usize);
        let items: Vec<Value> = inner
            .jobs
            .iter()
            .rev()
            .skip(skip)
            .take(size as usize)
            .map(|j| j.json(now))
            .collect();
        Ok(json!({
            "RequestId": request_id,
            "TotalCount": total,
            "PageNumber": page,
            "PageSize": size,
            "DeliveryHistoryJobs": items,
        })
        .to_string())
    }

    pub fn create(
        &self,
        req: &RpcParams,
        now: i64,
        request_id: &str,
    ) -> Result<String, AlibabaError> {
        let name = req
            .get("TrailName")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AlibabaError::missing_parameter("TrailName"))?;
        let token = req.get("ClientToken").filter(|s| !s.is_empty());
        if let Some(t) = token {
            if !t.is_ascii() || t.len() > 64 {
                return Err(AlibabaError::invalid_parameter(
                    "ClientToken",
                    "It supports only ASCII characters and cannot exceed 64 characters.",
                ));
            }
        }
        let Some(&(trail, region)) = TRAILS.iter().find(|(t, _)| *t == name) else {
            return Err(err(
                404,
                "TrailNotFoundException",
                "The specified Trail does not exist.",
            ));
        };
        let mut inner = self.lock();
        if let Some(t) = token {
            if let Some(&(id, tr)) = inner.tokens.get(t) {
                if tr != trail {
                    return Err(err(
                        400,
                        "IdempotentParameterMismatch",
                        "The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.",
                    ));
                }
                return Ok(json!({ "JobId": id, "RequestId": request_id }).to_string());
            }
        }
        if let Some(r) = inner.jobs.iter().find(|j| j.running(now)) {
            return Err(err(
                400,
                "DeliveryHistoryJobRunningException",
                format!(
                    "A delivery history job is already running in this account (JobId {}). Only one can run at a time; try again when it has finished.",
                    r.id
                ),
            ));
        }
        let id = inner.next_id;
        inner.next_id += 1 + (id % 7);
        inner.jobs.push(Job {
            id,
            trail,
            region,
            created: now,
            start: now - WINDOW_MS,
            end: now,
            plan: Plan::Live {
                run_ms: self.job_ms,
                fails: id % 5 == 0,
            },
        });
        if let Some(t) = token {
            inner.tokens.insert(t.to_string(), (id, trail));
        }
        Ok(json!({ "JobId": id, "RequestId": request_id }).to_string())
    }

    fn job_id(req: &RpcParams) -> Result<i64, AlibabaError> {
        int_param(req, "JobId")?.ok_or_else(|| AlibabaError::missing_parameter("JobId"))
    }

    fn not_found(id: i64) -> AlibabaError {
        err(
            404,
            "DeliveryHistoryJobNotFoundException",
            format!("The specified delivery history job {id} does not exist."),
        )
    }

    pub fn get(&self, req: &RpcParams, now: i64, request_id: &str) -> Result<String, AlibabaError> {
        let id = Self::job_id(req)?;
        let inner = self.lock();
        let job = inner
            .jobs
            .iter()
            .find(|j| j.id == id)
            .ok_or_else(|| Self::not_found(id))?;
        let mut v = job.json(now);
        v["RequestId"] = json!(request_id);
        v["Status"] = job.regions(now);
        Ok(v.to_string())
    }

    pub fn delete(
        &self,
        req: &RpcParams,
        now: i64,
        request_id: &str,
    ) -> Result<String, AlibabaError> {
        let id = Self::job_id(req)?;
        let mut inner = self.lock();
        let i = inner
            .jobs
            .iter()
            .position(|j| j.id == id)
            .ok_or_else(|| Self::not_found(id))?;
        if inner.jobs[i].running(now) {
            return Err(err(
                400,
                "DeliveryHistoryJobRunningException",
                format!("The delivery history job {id} is running and cannot be deleted."),
            ));
        }
        inner.jobs.remove(i);
        Ok(json!({ "RequestId": request_id }).to_string())
    }

    /// How many jobs exist (tests).
    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> RpcParams {
        crate::params_of(q)
    }

    const NOW: i64 = 1_717_200_000_000;

    fn status(jobs: &DeliveryJobs, id: i64, now: i64) -> i64 {
        let v: Value =
            serde_json::from_str(&jobs.get(&req(&format!("JobId={id}")), now, "r").unwrap())
                .unwrap();
        v["JobStatus"].as_i64().unwrap()
    }

    #[test]
    fn a_new_job_progresses_with_the_clock() {
        let jobs = DeliveryJobs::new(NOW, 100, 1);
        // The seeded live job runs for 50 s from NOW - 5 s.
        assert!(jobs.create(&req("TrailName=trail-name"), NOW, "r").is_err());
        let t = NOW + 46_000;
        let v: Value = serde_json::from_str(
            &jobs
                .create(&req("TrailName=ops-trail&ClientToken=a"), t, "r")
                .unwrap(),
        )
        .unwrap();
        let id = v["JobId"].as_i64().unwrap();
        assert_eq!(status(&jobs, id, t), 0);
        assert_eq!(status(&jobs, id, t + 14_999), 0);
        assert_eq!(status(&jobs, id, t + 15_000), 1);
        let mid: Value = serde_json::from_str(
            &jobs
                .get(&req(&format!("JobId={id}")), t + 60_000, "r")
                .unwrap(),
        )
        .unwrap();
        let regions: Vec<i64> = mid["Status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Status"].as_i64().unwrap())
            .collect();
        assert!(regions.contains(&1) && regions.contains(&2), "{regions:?}");
        let end = status(&jobs, id, t + 100_000);
        assert!(end == 2 || end == 3);
        // Finished: another may start.
        assert!(jobs
            .create(&req("TrailName=ops-trail"), t + 100_000, "r")
            .is_ok());
    }

    #[test]
    fn seeded_jobs_cover_every_status() {
        let jobs = DeliveryJobs::new(NOW, 120, 42);
        let body: Value =
            serde_json::from_str(&jobs.list(&req("PageSize=100"), NOW, "r").unwrap()).unwrap();
        let statuses: Vec<i64> = body["DeliveryHistoryJobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["JobStatus"].as_i64().unwrap())
            .collect();
        assert!(statuses.len() >= 30, "{}", statuses.len());
        for s in [0, 2, 3] {
            assert!(statuses.contains(&s), "{s} in {statuses:?}");
        }
        let later: Value =
            serde_json::from_str(&jobs.list(&req("PageSize=1"), NOW + 20_000, "r").unwrap())
                .unwrap();
        assert_eq!(later["DeliveryHistoryJobs"][0]["JobStatus"], 1);
    }
}
