// Entry point of the kernels that run one invocation per work item on a flat
// grid: workgroups of WG invocations, the dispatch folded into up to three grid
// dimensions when it exceeds the per-dimension limit (dispatchGrid in
// src/gpu/scheduler.ts). `run` gets the linear invocation index and skips the
// indices past its work itself.

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  run((wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * WG + lid);
}
