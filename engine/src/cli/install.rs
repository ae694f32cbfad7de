//! `callduck completions` and `callduck man`: what packagers and installers need, generated from
//! the same clap definitions as `--help` (`clap_complete`, `clap_mangen`), so they cannot drift.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write callduck.1 and callduck-<command>.1 for every command into this directory (e.g.
    /// /usr/local/share/man/man1); without it, print callduck.1 to stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Prints the completion script.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = super::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "callduck", &mut out);
    out.flush().context("writing the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// Renders the man pages.
pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let command = super::command();
    match args.out_dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .context("writing callduck.1")?;
            out.flush().context("writing callduck.1")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("writing the man pages into {}", dir.display()))?;
            let mut pages: Vec<String> = std::fs::read_dir(&dir)?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".1"))
                .collect();
            pages.sort();
            println!("wrote {} man pages into {}", pages.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
