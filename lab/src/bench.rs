//! `r53-lab bench`: API calls (counted by the lab proxy, outside the provider), wall time, and
//! provider footprint for zone-scale record management, printed as a table and written to
//! `bench-results/bench.md`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::{Lab, ProxyConfig, Terraform, TfBin};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// one `r53_records`
    Records,
    /// N × `r53_record`, coalescing on (default)
    RecordBatched,
    /// N × `r53_record`, coalescing off (one call per record, like the established provider)
    RecordPerCall,
}

impl Variant {
    pub fn parse(s: &str) -> anyhow::Result<Variant> {
        match s.trim() {
            "records" => Ok(Variant::Records),
            "batched" => Ok(Variant::RecordBatched),
            "per-call" => Ok(Variant::RecordPerCall),
            o => anyhow::bail!("unknown bench variant {o:?} (records, batched, per-call)"),
        }
    }
    fn label(self) -> &'static str {
        match self {
            Variant::Records => "r53_records",
            Variant::RecordBatched => "N x r53_record (batched)",
            Variant::RecordPerCall => "N x r53_record (per call)",
        }
    }
}

/// Where Terraform keeps state during a bench run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateStore {
    /// The S3 backend, on the emulator. Remote backends keep state in memory during an apply and
    /// persist it every 20 s, as production setups do.
    S3,
    /// terraform.tfstate in the working directory. Terraform's local backend rewrites the whole file
    /// after every resource it applies, which is quadratic in the number of resources (at 10,000
    /// r53_record it alone costs tens of minutes); kept to show that cost.
    Local,
}

impl StateStore {
    pub fn parse(s: &str) -> anyhow::Result<StateStore> {
        match s.trim() {
            "s3" => Ok(StateStore::S3),
            "local" => Ok(StateStore::Local),
            o => anyhow::bail!("unknown state store {o:?} (s3, local)"),
        }
    }
    pub(crate) fn label(self) -> &'static str {
        match self {
            StateStore::S3 => "S3 backend on the emulator",
            StateStore::Local => "local terraform.tfstate",
        }
    }
}

/// How the bench runs Terraform.
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    pub state: StateStore,
    /// Terraform's `-parallelism` (its default is 10).
    pub parallelism: usize,
}

const STATE_BUCKET: &str = "r53-bench-state";

fn backend(state: StateStore, moto_url: &str) -> String {
    match state {
        StateStore::Local => String::new(),
        // Straight to moto, not through the proxy: state traffic is not the provider's calls.
        StateStore::S3 => format!(
            "  backend \"s3\" {{\n    bucket = \"{STATE_BUCKET}\"\n    key = \"bench.tfstate\"\n    region = \"us-east-1\"\n    endpoints = {{ s3 = \"{moto_url}\" }}\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    skip_metadata_api_check = true\n    skip_region_validation = true\n  }}\n"
        ),
    }
}

fn config(v: Variant, n: usize, backend: &str) -> String {
    let head = format!("terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n{backend}}}\n");
    let provider = match v {
        Variant::RecordPerCall => "provider \"r53\" {\n  batch_record_writes = false\n}\n",
        _ => "provider \"r53\" {}\n",
    };
    let zone = "resource \"r53_hosted_zone\" \"z\" {\n  name = \"bench.example\"\n  force_destroy = true\n}\n";
    let chunks = n.div_ceil(1000);
    // Above Route 53's default quota of 10,000 (SOA and NS count), as a user would raise it.
    let quota = (n + 2).max(10_000);
    let body = match v {
        Variant::Records => format!(
            // range() stops at 1024 values: build the index list from 1000-wide chunks.
            "locals {{\n  idx = [for i in flatten([for c in range({chunks}) : [for j in range(1000) : c * 1000 + j]]) : i if i < {n}]\n}}\nresource \"r53_records\" \"all\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  max_record_sets = {quota}\n  dynamic \"record\" {{\n    for_each = local.idx\n    labels   = [\"h${{record.value}} A\"]\n    content {{\n      name    = \"h${{record.value}}.bench.example\"\n      type    = \"A\"\n      ttl     = 300\n      records = [\"10.${{floor(record.value / 65536)}}.${{floor(record.value / 256) % 256}}.${{record.value % 256}}\"]\n    }}\n  }}\n}}\n"
        ),
        _ => format!(
            "resource \"r53_record\" \"r\" {{\n  count   = {n}\n  zone_id = r53_hosted_zone.z.zone_id\n  name    = \"h${{count.index}}.bench.example\"\n  type    = \"A\"\n  ttl     = 300\n  records = [\"10.${{floor(count.index / 65536)}}.${{floor(count.index / 256) % 256}}.${{count.index % 256}}\"]\n}}\n"
        ),
    };
    format!("{head}{provider}{zone}{body}")
}

pub struct Row {
    variant: Variant,
    n: usize,
    apply_writes: u64,
    apply_calls: u64,
    apply_secs: f64,
    refresh_lists: u64,
    refresh_calls: u64,
    refresh_secs: f64,
    peak_rss_mb: f64,
    refresh_rss_mb: f64,
}

/// The /proc directories of the running processes of the benchmarked provider binary (matched by
/// executable path, so providers of other runs on the machine, e.g. tests, are not counted).
pub(crate) fn provider_procs() -> Vec<std::path::PathBuf> {
    let Ok(bin) = crate::tools::provider_dir().map(|d| d.join("terraform-provider-r53")) else {
        return Vec::new();
    };
    let bin = std::fs::canonicalize(&bin).unwrap_or(bin);
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| std::fs::read_link(p.join("exe")).is_ok_and(|exe| exe == bin))
        .collect()
}

/// Peak RSS (VmHWM) of any running provider process, in MiB.
fn provider_hwm() -> f64 {
    let mut best = 0.0f64;
    for p in provider_procs() {
        if let Ok(st) = std::fs::read_to_string(p.join("status")) {
            if let Some(kb) = st
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
            {
                best = best.max(kb / 1024.0);
            }
        }
    }
    best
}

/// Runs `f` while sampling the provider's peak RSS every 20 ms.
fn with_rss<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0.0f64;
        while !s2.load(std::sync::atomic::Ordering::Relaxed) {
            peak = peak.max(provider_hwm());
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    });
    let out = f();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    (out, sampler.join().unwrap_or(0.0))
}

/// Creates the state bucket in moto with boto3 from the lab's venv (moto's own dependency).
fn create_state_bucket(moto_url: &str) -> anyhow::Result<()> {
    let out = std::process::Command::new(crate::tools::python()?)
        .args([
            "-c",
            "import sys, boto3; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing').create_bucket(Bucket=sys.argv[2])",
            moto_url,
            STATE_BUCKET,
        ])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "creating the S3 state bucket in moto failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// A lab for the bench. Strictness off: the bench measures the provider, not the proxy's checks.
pub(crate) fn lenient_lab() -> anyhow::Result<Lab> {
    Lab::start_with(ProxyConfig {
        strict: false,
        ..Default::default()
    })
}

/// A Terraform working directory for variant `v` at `n` record sets against `lab`, initialised.
pub(crate) fn workdir(lab: &Lab, v: Variant, n: usize, opts: Opts) -> anyhow::Result<Terraform> {
    let mut tf = lab.terraform(TfBin::Lib)?;
    // For finding where time goes: Terraform's own debug log, with timestamps.
    if let Ok(path) = std::env::var("R53_BENCH_TF_LOG_PATH") {
        tf.set_env("TF_LOG", "debug");
        tf.set_env("TF_LOG_PATH", &path);
    }
    tf.write(&config(v, n, &backend(opts.state, &lab.moto.url())))?;
    if opts.state == StateStore::S3 {
        create_state_bucket(&lab.moto.url())?;
        let o = tf.run(&["init", "-input=false", "-no-color"])?;
        anyhow::ensure!(o.code == 0, "terraform init failed:\n{}", o.text());
    }
    Ok(tf)
}

pub fn run_case(v: Variant, n: usize, opts: Opts) -> anyhow::Result<Row> {
    let lab = lenient_lab()?;
    let tf = workdir(&lab, v, n, opts)?;
    let par = format!("-parallelism={}", opts.parallelism);
    let t = Instant::now();
    let (o, rss) =
        with_rss(|| tf.run(&["apply", "-auto-approve", "-no-color", "-input=false", &par]));
    let o = o?;
    anyhow::ensure!(o.code == 0, "apply failed:\n{}", o.text());
    let apply_secs = t.elapsed().as_secs_f64();
    let st = lab.proxy.stats();
    let (apply_writes, apply_calls) = (st.get("ChangeResourceRecordSets"), st.total());
    lab.proxy.reset_stats();
    let t = Instant::now();
    let (p, refresh_rss) = with_rss(|| {
        tf.run(&[
            "plan",
            "-detailed-exitcode",
            "-no-color",
            "-input=false",
            &par,
        ])
    });
    let p = p?;
    anyhow::ensure!(p.code == 0, "plan after apply not empty:\n{}", p.text());
    let refresh_secs = t.elapsed().as_secs_f64();
    let st = lab.proxy.stats();
    Ok(Row {
        variant: v,
        n,
        apply_writes,
        apply_calls,
        apply_secs,
        refresh_lists: st.get("ListResourceRecordSets"),
        refresh_calls: st.total(),
        refresh_secs,
        peak_rss_mb: rss,
        refresh_rss_mb: refresh_rss,
    })
}

/// Milliseconds from process start to a GetSchema answer, and the provider binary's size in MiB.
pub fn startup() -> anyhow::Result<(f64, f64)> {
    let bin = crate::tools::provider_dir()?.join("terraform-provider-r53");
    let size = std::fs::metadata(&bin)?.len() as f64 / (1024.0 * 1024.0);
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut child = std::process::Command::new(&bin)
            .env(
                "TF_PLUGIN_MAGIC_COOKIE",
                "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
            )
            .env("PLUGIN_PROTOCOL_VERSIONS", "5")
            .env_remove("PLUGIN_CLIENT_CERT")
            // This harness speaks plaintext gRPC; the provider refuses that without the opt-in.
            .env("R53_PLUGIN_ALLOW_PLAINTEXT", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
            &mut line,
        )?;
        let addr = line.split('|').nth(3).unwrap_or_default().to_string();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let ch = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
                .connect()
                .await?;
            let mut c = r53_plugin::proto::tfplugin5::provider_client::ProviderClient::new(ch);
            c.get_schema(r53_plugin::proto::tfplugin5::get_provider_schema::Request {})
                .await?;
            Ok::<_, anyhow::Error>(())
        })?;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        let _ = child.kill();
        let _ = child.wait();
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    Ok((samples[samples.len() / 2], size))
}

pub fn table(rows: &[Row], startup_ms: f64, size_mb: f64, profile: &str, opts: Opts) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| variant | N | apply: change batches | apply: all calls | apply s | no-op refresh: Lists | refresh: all calls | refresh s | provider peak RSS MiB: apply | …: plan |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.1} | {} | {} | {:.1} | {:.1} | {:.1} |",
            r.variant.label(),
            r.n,
            r.apply_writes,
            r.apply_calls,
            r.apply_secs,
            r.refresh_lists,
            r.refresh_calls,
            r.refresh_secs,
            r.peak_rss_mb,
            r.refresh_rss_mb
        );
    }
    let _ = writeln!(s, "\nProvider ({profile} build): binary {size_mb:.1} MiB; process start → GetSchema answered: {startup_ms:.1} ms (median of 5).");
    let _ = writeln!(
        s,
        "Terraform: -parallelism={}, state in {}.",
        opts.parallelism,
        opts.state.label()
    );
    let _ = writeln!(s, "Calls are counted by the lab proxy; 'all calls' includes requests refused as PriorRequestNotComplete and retried.");
    s
}
