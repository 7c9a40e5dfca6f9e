package dev.gantry.kube.admission;

/**
 * A field path built while walking an object and written out only when an error needs it (most walks find none).
 */
record FieldPath(FieldPath parent, String name, int index) {

    static final FieldPath ROOT = new FieldPath(null, null, -1);

    FieldPath child(String field) {
        return new FieldPath(this, field, -1);
    }

    FieldPath index(int i) {
        return new FieldPath(this, null, i);
    }

    /** A map entry: Kubernetes writes {@code labels[key]}. */
    FieldPath key(String key) {
        return new FieldPath(this, "[" + key + "]", -2);
    }

    @Override
    public String toString() {
        if (parent == null) {
            return "";
        }
        String head = parent.toString();
        if (index >= 0) {
            return head + "[" + index + "]";
        }
        if (index == -2 || head.isEmpty()) {
            return head + name;
        }
        return head + "." + name;
    }
}
