/**
 * The two charts, uPlot: pi's estimate against the number of points with the band of one
 * standard error around pi, and each pipeline queue's ready depth over time. Both carry a
 * vertical marker for every action run, so cause and effect line up.
 */
import uPlot, { type AlignedData, type Options } from 'uplot';
import type { ActionMarker, LabSnapshot, PiSample } from '../src/snapshot.ts';

/** One standard error of 4·p̂ after n points: 4·√(p(1−p)/n) with p = π/4, ≈ 1.642/√n. */
export const SIGMA_1 = 4 * Math.sqrt((Math.PI / 4) * (1 - Math.PI / 4));

const COLORS = ['#1a56a8', '#1e7d32', '#b26a00', '#6a1b9a', '#b3261e', '#00838f', '#5d4037'];

function markerPlugin(markers: () => ActionMarker[], xOf: (m: ActionMarker) => number | null): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui`;
          for (const m of markers()) {
            const x = xOf(m);
            if (x === null) continue;
            const px = u.valToPos(x, 'x', true);
            if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = m.ok ? '#f0a500' : '#b3261e';
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillStyle = '#333';
            ctx.fillText(m.label, px + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

function width(el: HTMLElement): number {
  return Math.max(320, el.clientWidth || 800);
}

export class PiChart {
  private readonly plot: uPlot;
  private samples: PiSample[] = [];

  constructor(el: HTMLElement, markers: () => ActionMarker[]) {
    const opts: Options = {
      width: width(el),
      height: 260,
      scales: { x: { time: false, distr: 3 }, y: { range: [2.6, 3.7] } },
      axes: [{ label: 'points counted (log)' }, { label: 'estimate' }],
      series: [
        {},
        { label: 'estimate', stroke: COLORS[0], width: 2 },
        { label: 'π', stroke: '#000', dash: [4, 4] },
        { label: 'π + σ', stroke: '#999', fill: 'rgba(26,86,168,0.08)' },
        { label: 'π − σ', stroke: '#999' },
      ],
      bands: [{ series: [3, 4], fill: 'rgba(26,86,168,0.10)' }],
      plugins: [markerPlugin(markers, (m) => this.countAt(m.at))],
    };
    this.plot = new uPlot(opts, [[], [], [], [], []], el);
  }

  /** Markers are in time; this chart's x is points, so place each at the count it happened at. */
  private countAt(at: number): number | null {
    const after = this.samples.find((s) => s.at >= at) ?? this.samples.at(-1);
    return after ? after.count : null;
  }

  set(samples: PiSample[]): void {
    this.samples = samples.filter((s) => s.count > 0);
    const xs = this.samples.map((s) => s.count);
    const data: AlignedData = [
      xs,
      this.samples.map((s) => s.estimate),
      xs.map(() => Math.PI),
      xs.map((n) => Math.PI + SIGMA_1 / Math.sqrt(n)),
      xs.map((n) => Math.PI - SIGMA_1 / Math.sqrt(n)),
    ];
    this.plot.setData(data);
  }

  redraw(): void {
    this.plot.redraw();
  }
}

const DEPTH_POINTS = 600;

export class DepthChart {
  private plot: uPlot | undefined;
  private queues: string[] = [];
  private readonly times: number[] = [];
  private readonly depths = new Map<string, (number | null)[]>();

  constructor(
    private readonly el: HTMLElement,
    private readonly markers: () => ActionMarker[],
  ) {}

  private build(): void {
    const opts: Options = {
      width: width(this.el),
      height: 240,
      scales: { x: { time: true } },
      axes: [{}, { label: 'ready messages' }],
      series: [
        {},
        ...this.queues.map((q, i) => ({ label: q, stroke: COLORS[i % COLORS.length], width: 1.5 })),
      ],
      plugins: [markerPlugin(this.markers, (m) => m.at / 1000)],
    };
    this.plot = new uPlot(opts, this.data(), this.el);
  }

  private data(): AlignedData {
    return [this.times, ...this.queues.map((q) => this.depths.get(q) ?? [])];
  }

  push(s: LabSnapshot): void {
    const names = s.rabbitmq.queues.filter((q) => q.declared).map((q) => q.name);
    if (names.join() !== this.queues.join()) {
      this.queues = names;
      for (const n of names)
        if (!this.depths.has(n))
          this.depths.set(
            n,
            this.times.map(() => null),
          );
      this.plot?.destroy();
      this.plot = undefined;
    }
    this.times.push(s.at / 1000);
    for (const n of this.queues)
      this.depths.get(n)!.push(s.rabbitmq.queues.find((q) => q.name === n)?.ready ?? null);
    if (this.times.length > DEPTH_POINTS) {
      this.times.shift();
      for (const d of this.depths.values()) d.shift();
    }
    if (!this.plot) this.build();
    else this.plot.setData(this.data());
  }

  redraw(): void {
    this.plot?.redraw();
  }
}
