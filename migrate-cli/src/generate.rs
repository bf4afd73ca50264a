//! `completions` and `man`: shell completion scripts and man pages made from the command's own
//! clap definition, so they never disagree with `--help`. Offline: no AWS, no network.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Command};
use clap_complete::Shell;

use crate::{Fail, EXIT_OK};

#[derive(Args, Debug, Clone)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug, Clone)]
pub struct ManArgs {
    /// Write r53-migrate.1 and one r53-migrate-COMMAND.1 per command into this directory
    /// (created if missing; existing pages are replaced) instead of r53-migrate.1 on stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The completion script for `shell`.
pub fn completion_script(mut cmd: Command, shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    // clap_complete panics when its writer fails: a Vec cannot fail, stdout can.
    clap_complete::generate(shell, &mut cmd, crate::BIN_NAME, &mut out);
    out
}

/// The man page of `cmd` and of each of its visible commands, depth first, as (file name, roff).
pub fn man_pages(cmd: Command) -> Result<Vec<(String, Vec<u8>)>, Fail> {
    // `help` would get a page of its own that says nothing --help does not.
    let mut cmd = cmd.disable_help_subcommand(true);
    // Builds the subcommands' display names (r53-migrate-import) that name their pages.
    cmd.build();
    let mut pages = Vec::new();
    add_pages(cmd, &mut pages)?;
    Ok(pages)
}

fn add_pages(cmd: Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<(), Fail> {
    let subs: Vec<Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut man = clap_mangen::Man::new(cmd).manual("r53");
    // The commit's date, not today's: the same source gives the same page.
    if let Some(date) = crate::commit_date() {
        man = man.date(date);
    }
    let mut roff = Vec::new();
    man.render(&mut roff)
        .map_err(|e| Fail::error(format!("rendering the man page: {e}")))?;
    pages.push((man.get_filename(), ascii_roff(&roff)));
    for sub in subs {
        add_pages(sub, pages)?;
    }
    Ok(())
}

/// Every character past ASCII as groff's `\[uXXXX]`: the help texts have dashes and ellipses, and
/// `groff -man` without preconv (or an older mandoc) reads the bytes as Latin-1 and prints noise.
fn ascii_roff(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out.into_bytes()
}

pub fn completions(a: &CompletionsArgs, cmd: Command) -> Result<u8, Fail> {
    let mut out = std::io::stdout().lock();
    emit(&mut out, &completion_script(cmd, a.shell))?;
    Ok(EXIT_OK)
}

/// The page on stdout, or every page into `--dir` with their paths on stdout.
pub fn man(a: &ManArgs, cmd: Command) -> Result<u8, Fail> {
    man_to(a, cmd, &mut std::io::stdout().lock())
}

fn man_to(a: &ManArgs, cmd: Command, out: &mut dyn Write) -> Result<u8, Fail> {
    let pages = man_pages(cmd)?;
    let Some(dir) = &a.dir else {
        // The first page is the whole command's (r53-migrate.1).
        let (_, roff) = pages
            .first()
            .ok_or_else(|| Fail::error("no man page was rendered"))?;
        emit(out, roff)?;
        return Ok(EXIT_OK);
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Fail::error(format!("creating {}: {e}", dir.display())))?;
    for (name, roff) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, roff)
            .map_err(|e| Fail::error(format!("writing {}: {e}", path.display())))?;
        emit(out, format!("{}\n", path.display()).as_bytes())?;
    }
    Ok(EXIT_OK)
}

fn emit(out: &mut dyn Write, bytes: &[u8]) -> Result<(), Fail> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        // The reader stopped early (`r53-migrate man | head`): not a failure of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Fail::error(format!("writing to stdout: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, ValueEnum};

    fn visible_commands() -> Vec<String> {
        crate::Cli::command()
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_string())
            .collect()
    }

    /// `.TH` is the page's first macro. The roff crate puts two lines before it that define the
    /// apostrophe string for groff (`.ie \n(.g .ds Aq \(aq` / `.el .ds Aq '`); man and groff
    /// expect exactly that.
    fn starts_with_th(roff: &str) -> bool {
        roff.lines()
            .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
            .is_some_and(|l| l.starts_with(".TH r53-migrate"))
    }

    #[test]
    fn every_shell_gets_a_script_that_knows_the_commands() {
        for shell in Shell::value_variants() {
            let script = String::from_utf8(completion_script(crate::Cli::command(), *shell))
                .expect("completion scripts are text");
            assert!(!script.trim().is_empty(), "{shell}: empty");
            assert!(script.contains("r53-migrate"), "{shell}: no program name");
            for name in ["import", "export-tf", "cutover", "completions"] {
                assert!(script.contains(name), "{shell}: no {name}");
            }
        }
    }

    #[test]
    fn the_man_page_is_roff_and_names_every_command() {
        let pages = man_pages(crate::Cli::command()).expect("pages render");
        let (name, roff) = &pages[0];
        assert_eq!(name, "r53-migrate.1");
        let roff = String::from_utf8_lossy(roff);
        assert!(starts_with_th(&roff), "{}", &roff[..roff.len().min(200)]);
        let commands = visible_commands();
        assert!(commands.len() >= 8, "{commands:?}");
        for c in &commands {
            // clap_mangen escapes the hyphen in roff: r53\-migrate\-import(1).
            let reference = format!("r53-migrate-{c}(1)").replace('-', "\\-");
            assert!(roff.contains(&reference), "no {reference} in the page");
        }
        // The exit codes (after_help) are part of the page.
        assert!(roff.contains("Exit codes"), "no exit codes");
        assert!(!roff.contains("migrate\\-help("), "a page for `help`");
    }

    #[test]
    fn one_page_per_command_for_packagers() {
        let pages = man_pages(crate::Cli::command()).expect("pages render");
        let mut names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        let mut want = vec!["r53-migrate.1".to_string()];
        want.extend(
            visible_commands()
                .iter()
                .map(|c| format!("r53-migrate-{c}.1")),
        );
        want.sort_unstable();
        assert_eq!(names, want);
        for (name, roff) in &pages {
            assert!(starts_with_th(&String::from_utf8_lossy(roff)), "{name}");
            assert!(roff.is_ascii(), "{name}");
        }
        assert_eq!(
            ascii_roff("60–900 s, 3s …".as_bytes()),
            b"60\\[u2013]900 s, 3s \\[u2026]"
        );
        let import = &pages
            .iter()
            .find(|(n, _)| n == "r53-migrate-import.1")
            .expect("import page")
            .1;
        assert!(String::from_utf8_lossy(import).contains("\\-\\-apply"));
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_a_full_disk_is() {
        struct Failing(std::io::ErrorKind);
        impl Write for Failing {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(self.0.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        assert!(emit(&mut Failing(std::io::ErrorKind::BrokenPipe), b"x").is_ok());
        let e = emit(&mut Failing(std::io::ErrorKind::StorageFull), b"x").unwrap_err();
        assert_eq!(e.code, crate::EXIT_ERROR);
        assert!(e.message.starts_with("writing to stdout"), "{}", e.message);
    }

    #[test]
    fn man_dir_writes_the_pages() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("share/man/man1");
        let mut listing = Vec::new();
        let code = man_to(
            &ManArgs {
                dir: Some(dir.clone()),
            },
            crate::Cli::command(),
            &mut listing,
        )
        .expect("man --dir");
        assert_eq!(code, EXIT_OK);
        let listing = String::from_utf8_lossy(&listing);
        assert!(listing.contains("r53-migrate-import.1"), "{listing}");
        assert!(dir.join("r53-migrate.1").is_file());
        assert!(dir.join("r53-migrate-cutover.1").is_file());
    }
}
