//! The module's time-zone offsets: the JavaScript runtime's `Intl.DateTimeFormat`, whose ICU
//! carries its own copy of the IANA database, so the module does not ship one.
//!
//! The core decides which names are zones (its list of chrono-tz's names, so `utc`, `Mars/Base`
//! or a padded name fall back or fail exactly as natively, whatever `Intl` would accept) and
//! caches each zone's transitions ([`callduck_metrics::tz::ZoneOffsets`]); this source answers
//! only "the UTC offset of zone Z at instant T", by formatting T with `timeZoneName:
//! "longOffset"` (`GMT-05:00`, `GMT+05:45`, `GMT-00:44:30`, `GMT`) and reading the offset back.
//! One formatter per zone is kept.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use callduck_metrics::tz::{self, OffsetSource};

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, with a constructor that reports a `RangeError` (unknown zone) or a
    /// `ReferenceError` (no `Intl`) instead of throwing through the module.
    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;

    /// `format(epochMilliseconds)`.
    #[wasm_bindgen(method, catch)]
    fn format(this: &DateTimeFormat, epoch_ms: f64) -> Result<String, JsValue>;
}

/// UTC offsets from `Intl.DateTimeFormat`, one formatter per zone (`None`: `Intl` has no such
/// zone).
#[derive(Default)]
pub struct IntlOffsets {
    formats: RefCell<HashMap<String, Option<DateTimeFormat>>>,
}

impl IntlOffsets {
    fn formatter(zone: &str) -> Option<DateTimeFormat> {
        let options = Object::new();
        Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
        Reflect::set(&options, &"timeZoneName".into(), &"longOffset".into()).ok()?;
        DateTimeFormat::new("en-US", &options).ok()
    }
}

impl OffsetSource for IntlOffsets {
    fn offset_at(&self, zone: &str, unix: i64) -> Option<i32> {
        let mut formats = self.formats.borrow_mut();
        if !formats.contains_key(zone) {
            formats.insert(zone.to_owned(), IntlOffsets::formatter(zone));
        }
        let text = formats
            .get(zone)?
            .as_ref()?
            .format(unix as f64 * 1000.0)
            .ok()?;
        parse_gmt_offset(&text)
    }
}

/// The offset in seconds of the `GMT±H[H][:MM[:SS]]` (or bare `GMT`) at the end of a date
/// formatted with `timeZoneName: "longOffset"`; `None` if there is none.
pub fn parse_gmt_offset(text: &str) -> Option<i32> {
    let rest = text[text.rfind("GMT")? + 3..].trim();
    let (sign, rest) = if let Some(r) = rest.strip_prefix('+') {
        (1, r)
    } else if let Some(r) = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix('\u{2212}'))
    {
        (-1, r)
    } else if rest.is_empty() {
        return Some(0);
    } else {
        return None;
    };
    let mut seconds = 0i32;
    let mut parts = 0;
    for (part, unit) in rest.split(':').zip([3600, 60, 1]) {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        seconds += part.parse::<i32>().ok()? * unit;
        parts += 1;
    }
    (parts > 0 && rest.split(':').count() == parts).then_some(sign * seconds)
}

/// Installs [`IntlOffsets`] as the core's offset source unless one is installed: every entry
/// point that reads options calls this first.
pub fn use_intl_offsets() {
    if !tz::has_offset_source() {
        tz::set_offset_source(IntlOffsets::default());
    }
}
