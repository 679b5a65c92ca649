#!/usr/bin/env python3
"""Projects distributed run times from bench/cluster/results.csv (docs/scaling.md explains the model).

T(P) = compute(P) + exchange(P), compute(P) = T1 * scale / P, exchange(P) = per-node bytes / BW +
latency * messages. Bytes per exchange kind are fitted from the 2- and 4-rank measurements: a hash
repartition of input bytes R sends R * (P-1)/P in all; a gather to every rank of X bytes sends
X * (P-1). The last gather to every rank is the final result: printed separately, not in T.

Usage: bench/cluster/model.py [results.csv] [--nodes 16,64] [--rows 1e6,1e9] [--gbit 25]
       [--efficiency 0.8] [--latency-us 25]
"""
import argparse
import csv
import math
import os
import statistics

# How each answer's size grows with the data (db-benchmark G1_N_1e2: id1, id2, id4, id5 have 100
# values and id3, id6 N/100; J1_N: every join answers about N rows). 'rows' = grows with N.
OUTPUT_GROWS = {('groupby', q): 'rows' for q in ('q3', 'q5', 'q7', 'q8', 'q10')}
OUTPUT_GROWS.update({('join', q): 'rows' for q in ('q1', 'q2', 'q3', 'q4', 'q5')})


def fit(rows):
    """Returns per question the 1-rank time and the fitted sizes of its exchanges, in plan order."""
    by_key = {}
    for r in rows:
        by_key.setdefault((r['part'], r['question']), {})[int(r['ranks'])] = r
    fitted = {}
    for key, runs in by_key.items():
        base_rows = float(runs[1]['data_rows'])
        multi = [p for p in sorted(runs) if p > 1]
        plans = {p: [e.split('=') for e in runs[p]['exchange_bytes'].split()] for p in multi}
        kinds = [kind for kind, _ in plans[multi[0]]]
        exchanges = []
        for i, kind in enumerate(kinds):
            estimates = []
            for p in multi:
                sent = float(plans[p][i][1])
                if kind in ('repartition', 'gather_rank0'):
                    estimates.append(sent * p / (p - 1))  # the whole input's wire size
                else:
                    estimates.append(sent / (p - 1))  # the gathered data's size
            role = kind
            if kind == 'gather_all':  # the last one returns the result; others broadcast a join side
                role = 'final' if i == len(kinds) - 1 else 'broadcast'
            exchanges.append(dict(role=role, bytes=statistics.mean(estimates), estimates=estimates))
        t1 = float(runs[1]['time_s'])
        r2 = runs.get(2)
        cost = (float(r2['rank0_exchange_ms']) * 1e-3 / float(r2['bytes_sent'])
                if r2 and float(r2['bytes_sent']) else None)
        fitted[key] = dict(t1=t1, rows=base_rows, exchanges=exchanges, seconds_per_byte=cost,
                           measured={p: (float(runs[p]['time_s']), float(runs[p]['bytes_sent']),
                                         float(runs[p]['rank0_other_ms']) * 1e-3) for p in multi})
    return fitted


def project(q, key, rows, nodes, bandwidth, latency, seconds_per_byte=None):
    """Returns compute, exchange and total seconds and the final gather's bytes per node."""
    scale = rows / q['rows']
    compute = q['t1'] * scale / nodes
    network, messages, final, traffic = 0.0, 0, 0.0, 0.0
    for e in q['exchanges']:
        size = e['bytes'] * (scale if e['role'] != 'final' or OUTPUT_GROWS.get(key) else 1)
        if e['role'] == 'final':
            final = size * (nodes - 1) / nodes  # every node receives the others' parts
            continue
        if e['role'] == 'repartition':
            per_node = size * (nodes - 1) / nodes ** 2  # sends its 1/P to P-1 others
        else:  # broadcast (gather to every rank) or gather to rank 0: one node receives ~all
            per_node = size * (nodes - 1) / nodes
        network += per_node / bandwidth
        traffic += 2 * per_node
        # pairwise all-to-all: P-1 messages, plus two small collectives (failure agreement and
        # the byte counts), each log2(P) steps
        messages += (nodes - 1) + 2 * math.ceil(math.log2(nodes))
    exchange = network + latency * messages
    if seconds_per_byte is not None:
        exchange = max(exchange, seconds_per_byte * traffic + latency * messages)
    return compute, exchange, compute + exchange, final


def fmt_time(seconds):
    if seconds >= 100:
        return '%.0f s' % seconds
    if seconds >= 1:
        return '%.1f s' % seconds
    if seconds >= 0.001:
        return '%.1f ms' % (seconds * 1e3)
    return '%.0f µs' % (seconds * 1e6)


def fmt_bytes(count):
    for unit, size in (('GB', 1e9), ('MB', 1e6), ('KB', 1e3)):
        if count >= size:
            return '%.1f %s' % (count / size, unit)
    return '%.0f B' % count


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument('results', nargs='?', default=os.path.join(here, 'results.csv'))
    parser.add_argument('--nodes', default='16,64')
    parser.add_argument('--rows', default='1e6,1e9')
    parser.add_argument('--gbit', type=float, default=25)
    parser.add_argument('--efficiency', type=float, default=0.8)
    parser.add_argument('--latency-us', type=float, default=25)
    args = parser.parse_args()
    bandwidth = args.gbit * 1e9 / 8 * args.efficiency
    latency = args.latency_us * 1e-6
    nodes = [int(n) for n in args.nodes.split(',')]
    fitted = fit(list(csv.DictReader(open(args.results))))
    costs = [q['seconds_per_byte'] for q in fitted.values() if q['seconds_per_byte']]
    measured_cost = statistics.median(costs)

    print('Fitted exchange sizes (bytes if every rank sent everything; from 2 / 4 ranks):\n')
    print('| question | T1 s | exchanges: kind fitted size (2r / 4r estimates) | rank-0 exchange ns per byte sent + received, 2r |')
    print('|---|---:|---|---:|')
    for (part, q), f in fitted.items():
        parts = ['%s %s (%s / %s)' % (e['role'], fmt_bytes(e['bytes']),
                                      *(fmt_bytes(v) for v in e['estimates'])) for e in f['exchanges']]
        cost = '-' if f['seconds_per_byte'] is None else '%.1f' % (f['seconds_per_byte'] * 1e9)
        print('| %s %s | %.3f | %s | %s |' % (part, q, f['t1'], '; '.join(parts), cost))
    print('\nMedian rank-0 exchange cost at 2 ranks: %.1f ns per byte the rank sent or received.'
          % (measured_cost * 1e9))

    print('\nCheck at 2 ranks (shared memory, no network term): T1/2 + %.1f ns/B x the bytes a rank '
          'moves (sent + received = all bytes sent / 2 x 2), against the measured time; rank 0\'s '
          'non-exchange operators against T1/2:\n' % (measured_cost * 1e9))
    print('| question | T1/2 | modelled T(2) | measured T(2) | rank 0 non-exchange ms (EXPLAIN) |')
    print('|---|---:|---:|---:|---:|')
    for key, f in fitted.items():
        if 2 not in f['measured']:
            continue
        time2, sent2, other2 = f['measured'][2]
        modelled = f['t1'] / 2 + measured_cost * sent2
        print('| %s %s | %s | %s | %s | %s |' % (*key, fmt_time(f['t1'] / 2), fmt_time(modelled),
                                                 fmt_time(time2), fmt_time(other2)))

    for rows in (float(r) for r in args.rows.split(',')):
        print('\n%.0e rows, %g Gb/s at %.0f%% (%.2f GB/s per node), latency %g µs per message:\n'
              % (rows, args.gbit, args.efficiency * 100, bandwidth / 1e9, args.latency_us))
        head = ['question', 'T1 (1 node)']
        for n in nodes:
            head += ['exchange(%d)' % n, 'T(%d)' % n, 'speedup %d' % n]
        head += ['T(%d) at %.1f ns/B' % (nodes[-1], measured_cost * 1e9), 'speedup',
                 'final gather, per node (%d)' % nodes[-1]]
        print('| ' + ' | '.join(head) + ' |')
        print('|---|' + '---:|' * (len(head) - 1))
        for key, f in fitted.items():
            t1 = f['t1'] * rows / f['rows']
            cells = ['%s %s' % key, fmt_time(t1)]
            for n in nodes:
                _, exchange, total, final = project(f, key, rows, n, bandwidth, latency)
                cells += [fmt_time(exchange), fmt_time(total), '%.1f' % (t1 / total)]
            slow = project(f, key, rows, nodes[-1], bandwidth, latency, measured_cost)[2]
            cells += [fmt_time(slow), '%.1f' % (t1 / slow), fmt_bytes(final)]
            print('| ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
