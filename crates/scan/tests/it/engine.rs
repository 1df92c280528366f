//! The engine: cancellation keeps what was found and stops early.

use scan::{Event, ScanConfig, Targets};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_early_and_keeps_results() {
    // 4,096 loopback addresses with nothing listening: every connect is refused at once.
    let targets = Targets::parse(&["127.67.0.0/20".to_string()], &[]).expect("targets");
    let cfg = ScanConfig {
        ports: vec![1, 2, 3],
        host_concurrency: 8,
        per_host: 1,
        ..ScanConfig::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let engine = tokio::spawn(async move { scan::scan(&targets, &cfg, tx, c2).await });
    let mut received = 0;
    while let Some(Event::HostDone(_)) = rx.recv().await {
        received += 1;
        if received == 10 {
            cancel.cancel();
        }
    }
    let summary = engine.await.expect("engine ends");
    assert!(summary.cancelled);
    assert_eq!(
        summary.hosts_scanned, received,
        "every finished host was delivered"
    );
    assert!(received < 4096, "stopped early ({received} hosts)");
}
