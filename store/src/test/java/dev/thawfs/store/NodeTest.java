package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node is a value: read twice from the index, it is one map key, and its locator cannot be changed from outside. */
class NodeTest {
    private static final Node NODE = new Node(42, 1, 7, "a.jar", NodeType.FILE, 0644, 1, 1000, 1_700_000_000, 5, 9,
            "", "lib/a.jar".getBytes(StandardCharsets.UTF_8));

    @Test
    void twoReadsOfOneRecordAreEqualAndOneMapKey() {
        Node first = Node.decode(42, NODE.encode());
        Node second = Node.decode(42, NODE.encode());
        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        Map<Node, String> paths = new HashMap<>();
        paths.putIfAbsent(first, "lib/a.jar");
        paths.putIfAbsent(second, "again/a.jar");
        assertEquals(Map.of(NODE, "lib/a.jar"), paths);
        assertNotEquals(NODE, NODE.named(8, "a.jar"), "another name of the node is another value");
    }

    @Test
    void theLocatorHandedOutIsACopy() {
        NODE.locator()[0] = 'X';
        assertEquals("lib/a.jar", new String(NODE.locator(), StandardCharsets.UTF_8));
    }
}
