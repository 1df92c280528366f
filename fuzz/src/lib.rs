//! Shared by every fuzz target: the bounds each input must respect beyond "no panic".
//! Owns the counting allocator (peak heap per input), the memory and output-size bounds as
//! named constants, and the checks the targets call on what a parser returned.
//!
//! Time is bounded by libFuzzer itself (`-timeout`, set by `scripts/fuzz.sh`): an input that
//! takes longer is reported as a timeout crash, with the input saved.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Peak heap one input may add, per input byte. A parser that keeps a few copies of the
/// answer (raw text, body, decoded text, fields) stays far below it; one whose output grows
/// with the square of the input (entity expansion, full element paths as field names) does not.
pub const HEAP_PER_INPUT_BYTE: usize = 64;

/// Heap any input may add regardless of its size: tables built per call, regex caches,
/// the first growth of vectors and maps.
pub const HEAP_SLACK: usize = 16 << 20;

/// Most fields (name, value pairs) one answer may yield. The extractor takes at most 2000
/// items from a body; heads, captures and derived fields come on top, so eight times that is
/// generous for a real device and still stops a flood of one-byte headers or elements.
pub const MAX_FIELD_VALUES: usize = 16_000;

/// Total bytes of field names and values, per input byte (plus `HEAP_SLACK`): each byte of
/// an answer may reasonably appear in the raw text, the body and a few fields, not hundreds.
pub const FIELD_BYTES_PER_INPUT_BYTE: usize = 32;

/// Evidence items one identity may carry: the issue asks for a per-device cap, and a device
/// with a handful of observations matching thousands of fingerprint entries is a flood.
pub const MAX_EVIDENCE: usize = 2_000;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// The allocator only adds bookkeeping around the system allocator; it is the one piece of
// unsafe code in the fuzz project and never ships in sightline.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        p
    }
}

fn grow(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Run `f` and fail unless the heap it added at its peak stays within
/// `HEAP_PER_INPUT_BYTE * input_len + HEAP_SLACK`. `what` names the call in the failure.
pub fn within_heap<T>(what: &str, input_len: usize, f: impl FnOnce() -> T) -> T {
    let start = CURRENT.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let out = f();
    let added = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    let bound = HEAP_PER_INPUT_BYTE * input_len + HEAP_SLACK;
    assert!(
        added <= bound,
        "{what}: peak heap grew by {added} bytes for a {input_len}-byte input (bound {bound})"
    );
    out
}

/// Fail unless the fields extracted from an `input_len`-byte answer are bounded in count and
/// in total size.
pub fn check_fields(what: &str, input_len: usize, fields: &fingerprint::Fields) {
    let mut values = 0usize;
    let mut bytes = 0usize;
    for (name, vs) in fields.iter() {
        values += vs.len();
        bytes += vs.iter().map(|v| name.len() + v.len()).sum::<usize>();
    }
    assert!(
        values <= MAX_FIELD_VALUES,
        "{what}: {values} field values from a {input_len}-byte answer (cap {MAX_FIELD_VALUES})"
    );
    let bound = FIELD_BYTES_PER_INPUT_BYTE * input_len + HEAP_SLACK;
    assert!(
        bytes <= bound,
        "{what}: {bytes} bytes of fields from a {input_len}-byte answer (bound {bound})"
    );
}

/// The observation kind named by a selector byte, so one target covers every kind.
pub fn kind_from(selector: u8) -> model::Kind {
    model::Kind::ALL[usize::from(selector) % model::Kind::ALL.len()]
}

/// Observation `n` of `kind` answering request `REQUESTS[request % len]`, as a scan stores it.
pub fn observation(
    n: usize,
    kind: model::Kind,
    request: usize,
    response: &[u8],
) -> model::Observation {
    model::Observation {
        id: format!("fuzz#{n}"),
        device: "fuzz".into(),
        kind,
        address: Some("127.0.0.1".into()),
        port: Some(80),
        request: Some(REQUESTS[request % REQUESTS.len()].into()),
        response: response.to_vec(),
        time: None,
    }
}

/// Requests a scan sends; the request path selects path fingerprints and favicon hashing.
pub const REQUESTS: &[&str] = &[
    "GET / HTTP/1.1",
    "GET /ISAPI/System/deviceInfo HTTP/1.1",
    "POST /RPC2_Login HTTP/1.1",
    "OPTIONS rtsp://127.0.0.1:554/ RTSP/1.0",
    "GET /favicon.ico HTTP/1.1",
    "POST /onvif/device_service HTTP/1.1",
];
