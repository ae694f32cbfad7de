//! Progress display for sync: bars on a terminal, periodic log lines elsewhere.
//!
//! One line per stream shows records stored, pages fetched and the window being scanned; rate-limit
//! waits and retries show as that line's message. When stderr is not a terminal (cron, CI, pipes)
//! nothing is drawn and a plain `tracing` line is logged per finished window instead.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of one sync run.
#[derive(Clone)]
pub struct Progress {
    multi: MultiProgress,
    drawn: bool,
}

/// Progress of one stream.
#[derive(Clone)]
pub struct StreamProgress {
    bar: ProgressBar,
    name: &'static str,
    drawn: bool,
}

impl Progress {
    /// Draws bars when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool) -> Progress {
        let drawn = enabled && std::io::stderr().is_terminal();
        let target = if drawn {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Progress {
            multi: MultiProgress::with_draw_target(target),
            drawn,
        }
    }

    pub fn stream(&self, name: &'static str, windows: u64) -> StreamProgress {
        let bar = self.multi.add(ProgressBar::new(windows));
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>6} [{bar:20.cyan/blue}] {pos}/{len} windows · {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(name);
        bar.enable_steady_tick(Duration::from_millis(200));
        StreamProgress {
            bar,
            name,
            drawn: self.drawn,
        }
    }
}

impl StreamProgress {
    /// Records fetched so far and pages requested.
    pub fn fetched(&self, records: u64, pages: u64) {
        self.bar
            .set_message(format!("{records} records, {pages} pages"));
    }

    /// A finished window.
    pub fn window_done(&self, records: u64, pages: u64) {
        self.bar.inc(1);
        if !self.drawn {
            tracing::info!(
                stream = self.name,
                window = self.bar.position(),
                of = self.bar.length().unwrap_or(0),
                records,
                pages,
                "window stored"
            );
        }
    }

    /// A wait (rate limit or retry back-off) the user should know about.
    pub fn waiting(&self, what: &str) {
        if self.drawn {
            self.bar.set_message(what.to_string());
        } else {
            tracing::info!(stream = self.name, "{what}");
        }
    }

    pub fn finish(&self) {
        self.bar.finish();
    }
}
