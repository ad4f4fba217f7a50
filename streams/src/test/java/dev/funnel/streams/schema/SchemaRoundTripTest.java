package dev.funnel.streams.schema;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaRoundTripTest {

    private static ModelDelta sparseDelta() {
        return new ModelDelta("ctr", 3, ModelDelta.Kind.SPARSE, 1_000L, List.of(
                new ModelDelta.Rows("item_emb", 2, new long[]{5, 9}, new float[]{1, 2, 3, 4}),
                new ModelDelta.Rows("wide", 1, new long[]{77}, new float[]{-0.5f})), null);
    }

    @Test
    void impressionLogRoundTrips() {
        ImpressionLog log = new ImpressionLog("req-1", "u000001", "home", "ctr", 4, "ctr-v1@ab", 99L, new float[]{0.5f, 0.25f},
                List.of(new ImpressionLog.Served(10, 0, 0.9f, new long[]{1, 2}, new long[]{1, 2, 3}, new float[]{0.1f},
                                new float[]{1, 0}),
                        new ImpressionLog.Served(11, 1, 0.8f, new long[]{4}, null, null, null)));
        ImpressionLog back = ImpressionLog.decode(ByteBuffer.wrap(log.encode()));
        assertEquals("req-1", back.requestId());
        assertEquals("home", back.scene());
        assertEquals(4, back.modelVersion());
        assertEquals("ctr-v1@ab", back.featureSchema());
        assertArrayEquals(new float[]{0.5f, 0.25f}, back.userEmbedding());
        assertEquals(2, back.items().size());
        assertArrayEquals(new long[]{1, 2}, back.items().get(0).fieldIds());
        assertArrayEquals(new long[]{1, 2, 3}, back.items().get(0).wideIds());
        assertArrayEquals(new float[]{0.1f}, back.items().get(0).dense());
        assertArrayEquals(new float[]{1, 0}, back.items().get(0).itemEmbedding());
        assertEquals(0, back.items().get(1).dense().length);
        assertEquals(1, back.items().get(1).position());
    }

    @Test
    void feedbackAndItemUpdateRoundTrip() {
        Feedback f = new Feedback("req-1", "u1", 42, Feedback.Event.CLICK, 5L);
        assertEquals(f, Feedback.decode(ByteBuffer.wrap(f.encode())));
        assertEquals(Feedback.Event.CONVERT, Feedback.Event.parse("convert"));
        assertThrows(IllegalArgumentException.class, () -> Feedback.Event.parse("bogus"));

        ItemUpdate u = new ItemUpdate(ItemUpdate.Op.UPSERT, 7, "c01", "a0001", List.of("t1", "t2"), true, 3L, 0.25,
                new float[]{0.5f, -0.5f}, 9L);
        ItemUpdate back = ItemUpdate.decode(ByteBuffer.wrap(u.encode()));
        assertEquals(u.tags(), back.tags());
        assertEquals("c01", back.category());
        assertEquals(0.25, back.popularity());
        assertArrayEquals(u.embedding(), back.embedding());
        assertEquals(ItemUpdate.Op.DELETE, ItemUpdate.decode(ByteBuffer.wrap(ItemUpdate.delete(7, 1).encode())).op());
    }

    /** Schema 2 carries an item's attributes (the items API takes them); records of schema 1 still read, without any. */
    @Test
    void itemUpdateAttributesRoundTripAndSchemaOneStillReads() {
        Map<String, Object> attributes = new java.util.LinkedHashMap<>();
        attributes.put("brand", "acme");
        attributes.put("stock", 12L);
        attributes.put("price", 9.5);
        attributes.put("new", true);
        attributes.put("sizes", List.of("s", "m"));
        ItemUpdate u = new ItemUpdate(ItemUpdate.Op.UPSERT, 7, "c01", "a0001", List.of(), true, 3L, 0.25, new float[0], 9L, attributes);
        assertEquals(attributes, ItemUpdate.decode(ByteBuffer.wrap(u.encode())).attributes());
        assertThrows(IllegalArgumentException.class, () -> new ItemUpdate(ItemUpdate.Op.UPSERT, 7, "c01", "a0001", List.of(), true, 3L,
                0.25, new float[0], 9L, Map.of("nested", Map.of())));

        byte[] v2 = new ItemUpdate(ItemUpdate.Op.UPSERT, 8, "c02", "a0002", List.of("t"), true, 3L, 0.5, new float[0], 9L).encode();
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 1); // schema 1 ended at the timestamp; 2 adds the attribute count (0)
        v1[2] = 1;
        ItemUpdate old = ItemUpdate.decode(ByteBuffer.wrap(v1));
        assertEquals("c02", old.category());
        assertEquals(9L, old.timestampMillis());
        assertEquals(Map.of(), old.attributes());
    }

    @Test
    void modelDeltaRoundTripsAndChecksumCatchesAnyFlippedByte() {
        byte[] enc = sparseDelta().encode();
        ModelDelta back = ModelDelta.decode(ByteBuffer.wrap(enc));
        assertEquals(3, back.version());
        assertEquals(3, back.rowCount());
        assertArrayEquals(new float[]{1, 2, 3, 4}, back.tables().get(0).values());
        for (int i = 3; i < enc.length; i++) {
            byte[] bad = enc.clone();
            bad[i] ^= 0x10;
            SchemaException e = assertThrows(SchemaException.class, () -> ModelDelta.decode(ByteBuffer.wrap(bad)));
            assertEquals(SchemaException.Reason.CHECKSUM, e.reason(), "byte " + i);
        }
        ModelDelta dense = new ModelDelta("ctr", 4, ModelDelta.Kind.DENSE, 1L, List.of(), new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, ModelDelta.decode(ByteBuffer.wrap(dense.encode())).onnx());
    }

    /** The base flag round-trips; a record written before the flag existed decodes as not a base. */
    @Test
    void modelDeltaBaseFlagRoundTripsAndOlderRecordsAreNotBases() {
        ModelDelta base = new ModelDelta("ctr", 9, ModelDelta.Kind.DENSE, 1L,
                List.of(new ModelDelta.Rows("wide", 1, new long[]{1}, new float[]{2})), new byte[]{7}, true);
        byte[] enc = base.encode();
        ModelDelta back = ModelDelta.decode(ByteBuffer.wrap(enc));
        assertTrue(back.base());
        assertTrue(ModelDelta.baseOf("ctr").matches(ByteBuffer.wrap(enc)));
        assertFalse(ModelDelta.baseOf("other").matches(ByteBuffer.wrap(enc)));
        assertFalse(ModelDelta.baseOf("ctr").matches(ByteBuffer.wrap(new byte[]{1, 2, 3})), "undecodable: no match");
        assertFalse(ModelDelta.decode(ByteBuffer.wrap(sparseDelta().encode())).base());

        // The layout before the flags byte: everything up to the ONNX bytes, then the checksum.
        byte[] old = new byte[enc.length - 1];
        System.arraycopy(enc, 0, old, 0, enc.length - 5);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(old, 0, old.length - 4);
        ByteBuffer.wrap(old).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(old.length - 4, (int) crc.getValue());
        ModelDelta older = ModelDelta.decode(ByteBuffer.wrap(old));
        assertFalse(older.base());
        assertEquals(9, older.version());
        assertArrayEquals(new byte[]{7}, older.onnx());

        assertThrows(IllegalArgumentException.class, () -> new ModelDelta("m", 1, ModelDelta.Kind.SPARSE, 0, List.of(), null, true));
    }

    @Test
    void modelControlRoundTripsAndRejectsFlippedBytesAndInvalidDecisions() {
        ModelControl pin = ModelControl.pin("ctr", "v12", "replica-a", "req-1", 1_234L, "v14");
        assertEquals(pin, ModelControl.decode(ByteBuffer.wrap(pin.encode())));
        assertEquals("v14", ModelControl.decode(ByteBuffer.wrap(pin.encode())).skipThrough());
        ModelControl plain = ModelControl.pin("ctr", "v12", "replica-a", "req-1", 1_234L);
        assertEquals(null, ModelControl.decode(ByteBuffer.wrap(plain.encode())).skipThrough());
        ModelControl unpin = ModelControl.unpin("ctr", "replica-b", "req-2", 5_678L);
        assertEquals(unpin, ModelControl.decode(ByteBuffer.wrap(unpin.encode())));
        assertEquals(Header.TYPE_MODEL_CONTROL, Header.peekType(ByteBuffer.wrap(pin.encode())));

        byte[] good = pin.encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThrows(SchemaException.class, () -> ModelControl.decode(ByteBuffer.wrap(bad)), "flipped byte " + i);
        }
        byte[] delta = sparseDelta().encode();
        assertEquals(SchemaException.Reason.WRONG_TYPE,
                assertThrows(SchemaException.class, () -> ModelControl.decode(ByteBuffer.wrap(delta))).reason());
        assertEquals(SchemaException.Reason.TRUNCATED,
                assertThrows(SchemaException.class, () -> ModelControl.decode(ByteBuffer.wrap(new byte[] {(byte) 0xF7, 5}))).reason());
        assertThrows(IllegalArgumentException.class, () -> ModelControl.pin("ctr", "", "a", "r", 0));
        assertThrows(IllegalArgumentException.class, () -> ModelControl.pin("", "v1", "a", "r", 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelControl(ModelControl.Op.UNPIN, "ctr", "v1", "a", "r", 0, null));
    }

    @Test
    void rejectsWrongTypeUnknownVersionAndTruncation() {
        byte[] f = new Feedback("r", "u", 1, Feedback.Event.EXPOSE, 0).encode();
        assertEquals(SchemaException.Reason.WRONG_TYPE,
                assertThrows(SchemaException.class, () -> ImpressionLog.decode(ByteBuffer.wrap(f))).reason());
        byte[] future = f.clone();
        future[2] = 9;
        SchemaException v = assertThrows(SchemaException.class, () -> Feedback.decode(ByteBuffer.wrap(future)));
        assertEquals(SchemaException.Reason.UNKNOWN_VERSION, v.reason());
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 3);
        assertEquals(SchemaException.Reason.TRUNCATED,
                assertThrows(SchemaException.class, () -> Feedback.decode(ByteBuffer.wrap(cut))).reason());
        byte[] junk = f.clone();
        junk[0] = 1;
        assertEquals(SchemaException.Reason.BAD_MAGIC,
                assertThrows(SchemaException.class, () -> Feedback.decode(ByteBuffer.wrap(junk))).reason());
        assertEquals(Header.TYPE_FEEDBACK, Header.peekType(ByteBuffer.wrap(f)));
    }

    @Test
    void validatesAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new ModelDelta.Rows("t", 2, new long[]{1}, new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new ModelDelta("m", 0, ModelDelta.Kind.SPARSE, 0, List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new ModelDelta("m", 1, ModelDelta.Kind.DENSE, 0, List.of(), null));
    }
}
