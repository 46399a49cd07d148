// Command-line options shared by `npm run bench` and `npm run bench:browser`.
export interface BenchArgs {
  quick: boolean;
  /** Add sepconv WebGPU tuned on each case (engine.tune) as an engine of its own. */
  tuned: boolean;
  filter?: string;
  /** Only these engines (by name; the reference sepconv-cpu always runs). */
  engines?: string[];
  /** Base name of the result files in bench/results (default 'latest'). */
  out?: string;
  runs: number;
  /**
   * bench:browser: CPU threads of each wasm engine (sepconv-wasm, tfjs-wasm, ort-wasm); absent: 1,
   * on a page that is not cross-origin isolated, as before. Above 1 the page is served
   * cross-origin isolated (COOP/COEP), which shared wasm memory needs.
   */
  threads?: number;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, tuned: false, runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`bench: ${a} needs a value`);
      return next;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--tuned') args.tuned = true;
    else if (a.startsWith('--filter')) args.filter = value();
    else if (a.startsWith('--engines')) args.engines = value().split(',').map((e) => e.trim()).filter(Boolean);
    else if (a.startsWith('--out')) {
      args.out = value();
      if (!/^[\w.-]+$/.test(args.out)) throw new Error('bench: --out must be a plain file name (letters, digits, . _ -)');
    }
    else if (a.startsWith('--runs')) {
      args.runs = Number(value());
      if (!Number.isInteger(args.runs) || args.runs < 5) throw new Error('bench: --runs must be an integer ≥ 5');
    } else if (a.startsWith('--threads')) {
      const v = value();
      args.threads = Number(v);
      if (!/^\d+$/.test(v) || !(args.threads >= 1)) throw new Error('bench: --threads must be a positive integer');
    } else if (a === '--help' || a === '-h') {
      console.log('options: --quick (a handful of cases), --filter <id part[,id part…]>, --engines <name[,name…]> (e.g. sepconv-wasm,tfjs-wasm), --out <name> (bench/results/<name>.{md,json}), --runs <n ≥ 5>, --threads <n> (bench:browser: threads of each wasm engine, default 1; above 1 the page is cross-origin isolated), --tuned (add sepconv tuned on each case)');
      process.exit(0);
    } else throw new Error(`bench: unknown option ${a}`);
  }
  return args;
}

/** A progress line: rewritten in place on a terminal, one line per step otherwise. */
export function progress(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${line}`);
  else console.log(line);
}
