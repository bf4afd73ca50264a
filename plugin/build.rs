fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../proto");
    println!("cargo:rerun-if-changed={dir}");
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Plan and state values arrive as msgpack of several megabytes at 10,000 record sets: as
        // `Bytes` they stay slices of the received buffer instead of being copied out of it.
        .bytes(".tfplugin5.DynamicValue")
        .compile_protos(
            &[
                format!("{dir}/tfplugin5.proto"),
                format!("{dir}/go_plugin.proto"),
            ],
            &[dir.to_string()],
        )?;
    Ok(())
}
