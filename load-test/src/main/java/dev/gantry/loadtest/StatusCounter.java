package dev.gantry.loadtest;

import dev.gantry.kube.InMemoryDispatcher;
import java.util.List;

/** Counts the controller's status writes in the in-memory API's request log, incrementally. */
final class StatusCounter {
    private final InProcessDeployment local;
    private final String pathPart;
    private int position;
    private long count;

    StatusCounter(InProcessDeployment local, String pathPart) {
        this.local = local;
        this.pathPart = pathPart;
    }

    /** Skips what was logged so far. */
    StatusCounter fromNow() {
        position = local.requestLog().size();
        return this;
    }

    long count() {
        List<InMemoryDispatcher.Call> log = local.requestLog();
        if (log.size() > position) {
            count += InProcessDeployment.statusWrites(log.subList(position, log.size()), pathPart);
            position = log.size();
        }
        return count;
    }
}
