//! Answer framing (`probe::io`): where an HTTP/RTSP answer ends, in one shot and incrementally
//! (the two agree on every prefix), and the incremental form does linear work on an answer
//! dripped one byte per read.

use proptest::prelude::*;
use scan::probe::Cx;
use scan::probe::io::{self, Framing, HttpFraming, http_framing};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// `http_framing` on `input` gives `expect`, and so does `HttpFraming` fed the same bytes one
/// byte at a time, with the one-shot result on every prefix along the way.
#[track_caller]
fn check(input: &str, expect: Framing) {
    let bytes = input.as_bytes();
    assert_eq!(http_framing(bytes), expect, "one shot: {input:?}");
    let mut f = HttpFraming::default();
    for end in 0..=bytes.len() {
        assert_eq!(
            f.update(&bytes[..end]),
            http_framing(&bytes[..end]),
            "prefix of {end} bytes of {input:?}"
        );
    }
}

#[test]
fn http_framing_cases() {
    use Framing::*;
    check("", Unknown);
    check("HTTP/1.1 200 OK\r\nServer: x\r\n", Unknown);
    check(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
        Incomplete,
    );
    check(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        Complete,
    );
    check(
        "HTTP/1.1 200 OK\r\ncontent-LENGTH:  5 \r\n\r\nhello!",
        Complete,
    );
    check("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", Complete);
    check("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody", Unknown);
    check("HTTP/1.1 200 OK\r\n\r\n<html>", Unknown);
    check("HTTP/1.1 204 No Content\r\n\r\n", Complete);
    check("HTTP/1.1 304 Not Modified\r\n\r\n", Complete);
    check("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", Complete);
    check("  rtsp/1.0 401 Unauthorized\r\n\r\n", Complete);
    check(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        Incomplete,
    );
    check(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        Complete,
    );
    // A "0\r\n\r\n" inside the head does not end a chunked body.
    check(
        "HTTP/1.1 200 OK\r\nX-A: 0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
        Incomplete,
    );
    // A bare blank line first, a CRLF one later: the CRLF one is the head's end (as in
    // `http::parse`), and the length is read from that head.
    check(
        "HTTP/1.1 200 OK\nX-A: 1\n\nContent-Length: 3\r\n\r\nabc",
        Complete,
    );
    check(
        "HTTP/1.1 200 OK\nContent-Length: 50\n\nxx\r\n\r\nabc",
        Incomplete,
    );
}

proptest! {
    /// Fed in arbitrary pieces, the incremental framing agrees with the one-shot one on every
    /// prefix, on bytes rich in the characters framing looks at.
    #[test]
    fn incremental_framing_equals_one_shot(
        text in "(HTTP/1.1 200 OK|RTSP/1.0 200 OK|Content-Length: [0-9]{1,2}|Transfer-Encoding: chunked|\r|\n|0|a| 204 ){0,40}",
        cuts in proptest::collection::vec(1usize..7, 0..40),
    ) {
        let bytes = text.as_bytes();
        let mut f = HttpFraming::default();
        let mut end = 0;
        for step in cuts.iter().chain(std::iter::repeat(&1)) {
            prop_assert_eq!(f.update(&bytes[..end]), http_framing(&bytes[..end]));
            if end == bytes.len() {
                break;
            }
            end = (end + step).min(bytes.len());
        }
    }
}

/// Read `answer` through a one-byte pipe (every read returns exactly one byte; the device
/// closes after the last byte). Returns what was read, the framing calls and the bytes the
/// framing examined.
async fn drip(answer: &[u8]) -> (io::Read, usize, usize) {
    let (mut device, mut probe) = tokio::io::duplex(1);
    let cx = Cx {
        read_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(10),
        max_bytes: 1024 * 1024,
        ..Cx::default()
    };
    let mut framing = HttpFraming::default();
    let mut calls = 0usize;
    let write = async move {
        device.write_all(answer).await.expect("write");
    };
    let read = io::read_answer(&cx, &mut probe, |b| {
        calls += 1;
        framing.update(b)
    });
    let ((), read) = tokio::join!(write, read);
    (read, calls, framing.bytes_examined())
}

/// A 256 KiB answer that arrives one byte per read is framed with linear work: the bytes the
/// framing examines over the whole read stay within a small multiple of the answer's length
/// (rescanning the buffer on every read examines about 34 billion). Cases: a chunked body
/// (searched for its final chunk as it arrives) and a head that never ends.
#[tokio::test]
async fn a_dripped_answer_is_framed_in_linear_work() {
    const SIZE: usize = 256 * 1024;
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    while chunked.len() < SIZE {
        chunked.extend_from_slice(b"10\r\n0123456789abcdef\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let mut endless = b"HTTP/1.1 200 OK\r\n".to_vec();
    while endless.len() < SIZE {
        endless.extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    for answer in [chunked, endless] {
        let (read, calls, examined) = drip(&answer).await;
        assert_eq!(read.status, scan::Status::Success);
        assert_eq!(read.bytes, answer);
        assert_eq!(calls, answer.len(), "one framing call per one-byte read");
        assert!(
            examined <= 8 * answer.len(),
            "examined {examined} bytes for a {} byte answer",
            answer.len()
        );
    }
}
