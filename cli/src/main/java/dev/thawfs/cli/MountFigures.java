package dev.thawfs.cli;

import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.RequestStats;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.store.FetchTotals;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import java.util.List;

/** What a running mount knows about itself: the figures {@code thawfs status} shows and metrics serve. */
record MountFigures(Store store, List<Layer> layers, FetcherSource content, ThawFilesystem filesystem,
        FuseSession session) {

    StatusReport status() {
        FetchTotals fetched = content.counters();
        RequestStats requests = session.stats();
        return StatusReport.of(store, layers.stream().map(Layer::artifact).toList())
                .put("tier", filesystem.tier()).put("transport", session.transport()).put("passthrough_opens", filesystem.passthroughOpens())
                .put("backing_ids", filesystem.backingIds())
                .put("daemon_requests", requests.total()).put("daemon_lookups", requests.requests(Opcode.LOOKUP))
                .put("daemon_getattrs", requests.requests(Opcode.GETATTR))
                .put("daemon_opens", requests.requests(Opcode.OPEN)).put("daemon_reads", requests.requests(Opcode.READ))
                .put("fetches_running", filesystem.fetchesRunning())
                .put("object_store_requests", fetched.requests()).put("object_store_bytes", fetched.bytes())
                .put("object_store_retries", fetched.retries()).put("object_store_failures", fetched.failures());
    }
}
