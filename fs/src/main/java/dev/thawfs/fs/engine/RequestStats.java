package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.store.LatencyHistogram;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests by opcode, how long each took from its arrival to its answer, and bytes the daemon
 * served through READ: the proof of passthrough.
 */
public final class RequestStats {
    private final LongAdder[] byOpcode = new LongAdder[Opcode.LIMIT + 1];
    private final LatencyHistogram[] latencyByOpcode = new LatencyHistogram[Opcode.LIMIT + 1];
    private final LongAdder readBytes = new LongAdder();

    RequestStats() {
        for (int i = 0; i < byOpcode.length; i++) {
            byOpcode[i] = new LongAdder();
            latencyByOpcode[i] = new LatencyHistogram();
        }
    }

    void count(int opcode) {
        byOpcode[slot(opcode)].increment();
    }

    void answered(int opcode, long nanos) {
        latencyByOpcode[slot(opcode)].record(nanos);
    }

    private static int slot(int opcode) {
        return opcode >= 0 && opcode < Opcode.LIMIT ? opcode : Opcode.LIMIT;
    }

    void addReadBytes(int bytes) {
        readBytes.add(bytes);
    }

    public long requests(int opcode) {
        return byOpcode[opcode].sum();
    }

    /** The latencies of answered requests of {@code opcode} ({@link Opcode#LIMIT}: every unnamed one). */
    public LatencyHistogram latency(int opcode) {
        return latencyByOpcode[opcode];
    }

    public long readBytes() {
        return readBytes.sum();
    }

    public long total() {
        long total = 0;
        for (LongAdder adder : byOpcode) {
            total += adder.sum();
        }
        return total;
    }

    /** One JSON object: {@code {"requests":{"LOOKUP":3,...},"total":N,"read_bytes":N}}, zero counts left out. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{\"requests\":{");
        String separator = "";
        for (int op = 0; op <= Opcode.LIMIT; op++) {
            long n = byOpcode[op].sum();
            if (n != 0) {
                json.append(separator).append('"').append(op == Opcode.LIMIT ? "OTHER" : Opcode.name(op))
                        .append("\":").append(n);
                separator = ",";
            }
        }
        return json.append("},\"total\":").append(total())
                .append(",\"read_bytes\":").append(readBytes()).append('}').toString();
    }
}
