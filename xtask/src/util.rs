//! Small std-only helpers: failures with hints, step printing, running commands, PATH handling.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A failed step: what went wrong and what the user can do about it.
#[derive(Debug)]
pub struct Failure {
    pub what: String,
    pub hint: String,
}

impl Failure {
    pub fn new(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Failure {
            what: what.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.what)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint.replace('\n', "\n        "))?;
        }
        Ok(())
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

/// Prints a top-level step line (`==> ...`).
pub fn step(msg: impl fmt::Display) {
    println!("==> {msg}");
    let _ = std::io::stdout().flush();
}

/// Prints a detail line under a step.
pub fn note(msg: impl fmt::Display) {
    println!("    {msg}");
    let _ = std::io::stdout().flush();
}

pub fn warn(msg: impl fmt::Display) {
    let _ = std::io::stdout().flush();
    eprintln!("warning: {msg}");
}

/// Where things are, and the PATH that child processes get.
pub struct Env {
    /// Workspace root (parent of `xtask/`).
    pub root: PathBuf,
    /// The `cargo` running us (`$CARGO`), or `cargo`.
    pub cargo: OsString,
    /// Directories prepended to PATH for every child process, first wins.
    extra_path: Vec<PathBuf>,
}

impl Env {
    pub fn detect() -> Env {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in a workspace")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut env = Env {
            root,
            cargo,
            extra_path: Vec::new(),
        };
        // `cargo install` puts binaries here; make sure children find them even when the
        // user's shell PATH lacks it (fresh CI machines).
        env.prepend_path(&cargo_bin_dir());
        env
    }

    /// Puts `dir` in front of the children's PATH (later calls take precedence).
    pub fn prepend_path(&mut self, dir: &Path) {
        self.extra_path.retain(|d| d != dir);
        self.extra_path.insert(0, dir.to_path_buf());
    }

    pub fn path_var(&self) -> OsString {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let dirs = self
            .extra_path
            .iter()
            .cloned()
            .chain(std::env::split_paths(&current));
        std::env::join_paths(dirs).unwrap_or(current)
    }

    /// A command with our PATH, run from the workspace root.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", self.path_var()).current_dir(&self.root);
        cmd
    }

    pub fn cargo(&self) -> Command {
        self.command(&self.cargo)
    }

    /// Looks `name` up on our PATH.
    pub fn which(&self, name: &str) -> Option<PathBuf> {
        which_in(name, &self.path_var())
    }

    pub fn target_dir(&self) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => self.root.join(dir),
            _ => self.root.join("target"),
        }
    }
}

/// `$CARGO_HOME/bin` (default `~/.cargo/bin`), where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| ".".into())).join(".cargo")
        });
    home.join("bin")
}

pub fn which_in(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs `program args` quietly and returns its trimmed stdout if it succeeded.
pub fn probe(env: &Env, program: &Path, args: &[&str]) -> Option<String> {
    let out = env
        .command(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `program arg1 arg2` for messages.
pub fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // `$CARGO` is a long toolchain path; `cargo` reads better and is what users type.
    let mut s = if program.file_name().is_some_and(|n| n == "cargo") {
        "cargo".to_string()
    } else {
        program.to_string_lossy().into_owned()
    };
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        s.push(' ');
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            s.push_str(&format!("'{arg}'"));
        } else {
            s.push_str(&arg);
        }
    }
    s
}

/// Runs a command with inherited stdout/stderr (stdin closed); fails with `hint` on non-zero exit.
pub fn run(mut cmd: Command, hint: &str) -> Result<()> {
    let shown = display(&cmd);
    note(format!("$ {shown}"));
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| Failure::new(format!("could not start `{shown}`: {e}"), hint.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("`{shown}` failed ({status})"),
            hint.to_string(),
        ))
    }
}

pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            format!("cannot read {}: {e}", path.display()),
            "run xtask from a complete checkout of the repository",
        )
    })
}

/// Formats a duration as `1m 05s` / `12.3s`.
pub fn human(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 {
        let s = d.as_secs();
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{secs:.1}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        assert_eq!(human(std::time::Duration::from_millis(12_340)), "12.3s");
        assert_eq!(human(std::time::Duration::from_secs(65)), "1m 05s");
    }

    #[test]
    fn failure_display_indents_hint() {
        let f = Failure::new("it broke", "do this\nthen that");
        assert_eq!(
            f.to_string(),
            "it broke\n  hint: do this\n        then that"
        );
    }

    #[test]
    fn prepend_path_wins_and_dedupes() {
        let mut env = Env::detect();
        env.prepend_path(Path::new("/nonexistent/a"));
        env.prepend_path(Path::new("/nonexistent/b"));
        env.prepend_path(Path::new("/nonexistent/a"));
        let path = env.path_var();
        let dirs: Vec<_> = std::env::split_paths(&path).take(2).collect();
        assert_eq!(
            dirs,
            vec![
                PathBuf::from("/nonexistent/a"),
                PathBuf::from("/nonexistent/b")
            ]
        );
    }

    #[test]
    fn display_quotes_spaces() {
        let mut cmd = Command::new("echo");
        cmd.args(["a b", "c"]);
        assert_eq!(display(&cmd), "echo 'a b' c");
    }
}
