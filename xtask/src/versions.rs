//! Pure parsing: version outputs of tools, Cargo.lock, Trunk.toml and package.json snippets.
//! Deliberately tiny line-based parsers so xtask stays dependency-free.

/// Version of the one `[[package]]` called `name` in a Cargo.lock.
pub fn locked_version(lock: &str, name: &str) -> Result<String, String> {
    let mut found = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        if field("name").as_deref() == Some(name) {
            if let Some(v) = field("version") {
                found.push(v);
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!("Cargo.lock has no package `{name}`")),
        _ => Err(format!(
            "Cargo.lock has several versions of `{name}` ({}); the app must use exactly one",
            found.join(", ")
        )),
    }
}

/// String value of `key` in `[section]` of a simple TOML file (no inline tables).
pub fn toml_string(toml: &str, section: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    for line in toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_section = line == format!("[{section}]");
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == key {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Version string of `"dep": "x.y.z"` in a package.json.
pub fn npm_dependency(package_json: &str, dep: &str) -> Option<String> {
    let needle = format!("\"{dep}\"");
    package_json.lines().find_map(|line| {
        let rest = line
            .trim()
            .strip_prefix(&needle)?
            .trim_start()
            .strip_prefix(':')?;
        Some(
            rest.trim()
                .trim_end_matches(',')
                .trim_matches('"')
                .to_string(),
        )
    })
}

/// `trunk 0.21.14` -> `0.21.14`; `wasm-bindgen 0.2.130` -> `0.2.130`.
pub fn second_word(output: &str) -> Option<String> {
    output.split_whitespace().nth(1).map(str::to_string)
}

/// `wasm-opt version 132 (version_132)` -> `132` (the number after `version`).
pub fn wasm_opt_version(output: &str) -> Option<String> {
    let mut words = output.split_whitespace();
    words.find(|w| *w == "version")?;
    words.next().map(str::to_string)
}

/// `v20.20.2` -> `(20, 20)`.
pub fn node_version(output: &str) -> Option<(u32, u32)> {
    let mut parts = output.trim().strip_prefix('v')?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Major version from `Chromium 156.0.8078.79 built on ...` or `ChromeDriver 156.0.8078.79 (...)`.
pub fn browser_major(output: &str) -> Option<u32> {
    output
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.contains('.'))
        .and_then(|w| w.split('.').next())
        .and_then(|m| m.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "dup"
version = "1.0.0"

[[package]]
name = "dup"
version = "2.0.0"
"#;

    #[test]
    fn lock_versions() {
        assert_eq!(locked_version(LOCK, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-macro").unwrap(),
            "0.2.130"
        );
        assert!(locked_version(LOCK, "nope")
            .unwrap_err()
            .contains("no package"));
        assert!(locked_version(LOCK, "dup")
            .unwrap_err()
            .contains("1.0.0, 2.0.0"));
    }

    #[test]
    fn toml_values() {
        let toml = "[build]\noffline = true # no net\n\n[tools]\nwasm_bindgen = \"0.2.130\"  # pinned\nwasm_opt = \"version_132\"\n[[proxy]]\nbackend = \"x\"\n";
        assert_eq!(
            toml_string(toml, "tools", "wasm_bindgen").unwrap(),
            "0.2.130"
        );
        assert_eq!(
            toml_string(toml, "tools", "wasm_opt").unwrap(),
            "version_132"
        );
        assert_eq!(toml_string(toml, "build", "offline").unwrap(), "true");
        assert_eq!(toml_string(toml, "tools", "backend"), None);
        assert_eq!(toml_string(toml, "build", "wasm_opt"), None);
    }

    #[test]
    fn npm_values() {
        let pj =
            "{\n  \"dependencies\": {\n    \"binaryen\": \"132.0.0\",\n    \"x\" : \"1\"\n  }\n}";
        assert_eq!(npm_dependency(pj, "binaryen").unwrap(), "132.0.0");
        assert_eq!(npm_dependency(pj, "x").unwrap(), "1");
        assert_eq!(npm_dependency(pj, "y"), None);
    }

    #[test]
    fn tool_outputs() {
        assert_eq!(second_word("trunk 0.21.14").unwrap(), "0.21.14");
        assert_eq!(second_word("wasm-bindgen 0.2.130").unwrap(), "0.2.130");
        assert_eq!(second_word("trunk"), None);
        assert_eq!(
            wasm_opt_version("wasm-opt version 132 (version_132)").unwrap(),
            "132"
        );
        assert_eq!(wasm_opt_version("wasm-opt 108"), None);
        assert_eq!(node_version("v20.20.2\n"), Some((20, 20)));
        assert_eq!(node_version("20.1"), None);
        assert_eq!(
            browser_major("Chromium 156.0.8078.79 built on Debian GNU/Linux 12 (bookworm)"),
            Some(156)
        );
        assert_eq!(
            browser_major("ChromeDriver 156.0.8078.79 (a21ce95c-refs/branch-heads/8078@{#1704})"),
            Some(156)
        );
        assert_eq!(browser_major("nothing here"), None);
    }

    /// The pins in Trunk.toml must agree with Cargo.lock and xtask/wasm-opt/package.json,
    /// because trunk runs offline and refuses a mismatched tool.
    #[test]
    fn repository_pins_agree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let trunk_toml = read("Trunk.toml");
        let locked = locked_version(&read("Cargo.lock"), "wasm-bindgen").unwrap();
        assert_eq!(
            toml_string(&trunk_toml, "tools", "wasm_bindgen").as_deref(),
            Some(locked.as_str()),
            "Trunk.toml [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen"
        );
        let binaryen = npm_dependency(&read("xtask/wasm-opt/package.json"), "binaryen").unwrap();
        let major = binaryen.split('.').next().unwrap();
        assert_eq!(
            toml_string(&trunk_toml, "tools", "wasm_opt").unwrap(),
            format!("version_{major}"),
            "Trunk.toml [tools] wasm_opt must match xtask/wasm-opt/package.json's binaryen"
        );
        assert_eq!(
            toml_string(&trunk_toml, "build", "offline").as_deref(),
            Some("true")
        );
    }
}
