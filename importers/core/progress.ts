import cliProgress from "cli-progress";
import type { ProgressSink } from "./run";

/** A progress bar on an interactive terminal; nothing at all otherwise (pipes, CI, cron). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total, label) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.slice(0, 40).padEnd(40)} [{bar}] {percentage}% | {value_mb}/{total_mb} MB | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { value_mb: "0.0", total_mb: (total / 1e6).toFixed(1) });
    },
    update(done) {
      bar?.update(done, { value_mb: (done / 1e6).toFixed(1) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
