//! CDN `DescribeCdnDeliverList` (operations-report delivery tasks).
//!
//! * `Version`, if given, must be `2018-05-10` (`InvalidVersion`).
//! * At most 3 calls per second for all callers together (the document's per-account limit):
//!   `400 Throttling.User` with `x-acs-retry-after`, as the POP gateway answers.
//! * `DeliverId` (optional): an integer (`400 InvalidParameter` "The specified parameter is
//!   invalid."), naming an existing task (`400 SubscriptionNotFound` "The subscription is not
//!   found.", the document's codes). Without it, every task.
//! * `Content` is a JSON **string** holding `{"data":[...]}` (the documented type, well formed).
//! * 20 seeded tasks with different Quartz crontabs (seconds field, `?`, ranges, steps, lists,
//!   names), frequencies h/d/M, enabled and disabled, domains, report conditions and email
//!   recipients (some with non-ASCII names).

use serde_json::{json, Value};
use trailview_core::dialect::AlibabaError;
use trailview_core::dialect::RpcParams;
use trailview_core::dialect::CDN;
use trailview_core::time::format_api_time;

/// (name, crontab, frequency, enabled)
const TASKS: [(&str, &str, &str, bool); 20] = [
    ("域名订阅", "0 0 0 * * ?", "d", true),
    ("Hourly traffic", "0 0 * * * ?", "h", true),
    ("Peak hours", "0 0 9-18 ? * MON-FRI", "h", true),
    ("Weekly summary", "0 30 8 ? * MON", "d", true),
    ("Month start", "0 0 2 1 * ?", "M", true),
    ("Mid-month", "0 0 6 15 * ?", "M", false),
    ("Every 6 hours", "0 0 */6 * * ?", "h", true),
    ("Business days 7:45", "0 45 7 ? * 2-6", "d", true),
    ("Weekend check", "0 0 10 ? * SAT,SUN", "d", false),
    ("Quarterly", "0 0 3 1 JAN,APR,JUL,OCT ?", "M", true),
    ("Twice daily", "0 0 8,20 * * ?", "d", true),
    ("Quarter past", "0 15 * * * ?", "h", false),
    ("北京 运营日报", "0 0 1 * * ?", "d", true),
    ("Edge errors", "30 5/20 * * * ?", "h", true),
    ("Nightly 02:30", "0 30 2 * * ?", "d", true),
    ("Month end-ish", "0 0 23 28 * ?", "M", true),
    ("Old report", "0 0 0 1 1 ? 2021", "M", false),
    ("Workday mornings", "0 0/30 8-10 ? * MON-FRI", "h", true),
    ("Sunday digest", "0 0 18 ? * 1", "d", true),
    ("Origin health", "0 10 */2 * * ?", "h", true),
];

const DOMAINS: [&str; 8] = [
    "www.example.com",
    "static.example.com",
    "img.example.cn",
    "video.example.com",
    "api.example.net",
    "cdn.例子.中国",
    "dl.example.org",
    "m.example.com",
];

const PROVINCES: [&str; 6] = ["黑龙江", "北京", "上海", "广东", "Zhejiang", "Sichuan"];
const ISPS: [&str; 3] = ["telecom", "unicom", "mobile"];

const PEOPLE: [&str; 6] = [
    "ops@example.com",
    "张伟 <zhang.wei@example.com>",
    "noc@example.cn",
    "Zoë Müller <zoe@example.de>",
    "李娜@example.cn",
    "reports@example.org",
];

pub struct CdnDeliveries {
    tasks: Vec<Value>,
}

fn error(code: &'static str, msg: &str) -> AlibabaError {
    AlibabaError::new(400, code, msg).from(CDN)
}

impl CdnDeliveries {
    pub fn new(now: i64) -> CdnDeliveries {
        let tasks = TASKS
            .iter()
            .enumerate()
            .map(|(i, (name, cron, freq, enabled))| {
                let dms: Vec<&str> = (0..1 + i % 3)
                    .map(|k| DOMAINS[(i + k * 3) % DOMAINS.len()])
                    .collect();
                let mut reports = vec![json!({ "reportId": 1 + (i % 4) })];
                if i % 2 == 0 {
                    reports.push(json!({
                        "reportId": 5 + (i % 3),
                        "conditions": [{
                            "op": "in",
                            "field": if i % 4 == 0 { "prov" } else { "isp" },
                            "value": if i % 4 == 0 {
                                vec![PROVINCES[i % 6], PROVINCES[(i + 1) % 6]]
                            } else {
                                vec![ISPS[i % 3]]
                            },
                        }],
                    }));
                }
                let mut email = json!({
                    "subject": format!("{name} report"),
                    "to": [PEOPLE[i % PEOPLE.len()], PEOPLE[(i + 2) % PEOPLE.len()]],
                });
                if i % 3 == 0 {
                    email["copy"] = json!([PEOPLE[(i + 1) % PEOPLE.len()]]);
                }
                let created = now - (400 - i as i64 * 17) * 86_400_000 + i as i64 * 3_600_000;
                json!({
                    "deliverId": 1 + i,
                    "status": if *enabled { "enable" } else { "disable" },
                    "createTime": format_api_time(created),
                    "crontab": cron,
                    "frequency": freq,
                    "name": name,
                    "dmList": dms,
                    "reports": reports,
                    "deliver": { "email": email },
                    "timeFromFormat": "yyyy-MM-dd HH:mm",
                    "timeEndFormat": "yyyy-MM-dd HH:mm",
                })
            })
            .collect();
        CdnDeliveries { tasks }
    }

    pub fn describe(&self, req: &RpcParams, request_id: &str) -> Result<String, AlibabaError> {
        let tasks: Vec<&Value> = match req.get("DeliverId").filter(|s| !s.is_empty()) {
            None => self.tasks.iter().collect(),
            Some(raw) => {
                let id: i64 = raw.trim().parse().map_err(|_| {
                    error("InvalidParameter", "The specified parameter is invalid.")
                })?;
                let t = self
                    .tasks
                    .iter()
                    .find(|t| t["deliverId"].as_i64() == Some(id))
                    .ok_or_else(|| {
                        error("SubscriptionNotFound", "The subscription is not found.")
                    })?;
                vec![t]
            }
        };
        let content = json!({ "data": tasks }).to_string();
        Ok(json!({ "RequestId": request_id, "Content": content }).to_string())
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailview_core::cron::Schedule;
    use trailview_core::wire::CdnDeliverListResponse;

    #[test]
    fn every_crontab_parses_and_content_reads_back() {
        for (_, c, _, _) in TASKS {
            Schedule::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        }
        let cdn = CdnDeliveries::new(1_717_200_000_000);
        let body = cdn.describe(&RpcParams::default(), "X").unwrap();
        let r: CdnDeliverListResponse = serde_json::from_str(&body).unwrap();
        assert!(r.content.is_string());
        let tasks = r.tasks().unwrap();
        assert_eq!(tasks.len(), 20);
        for f in ["h", "d", "M"] {
            assert!(tasks.iter().any(|t| t.frequency.as_deref() == Some(f)));
        }
        assert!(tasks.iter().any(|t| t.status.as_deref() == Some("disable")));
    }
}
