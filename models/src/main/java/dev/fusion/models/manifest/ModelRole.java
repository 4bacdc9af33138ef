package dev.fusion.models.manifest;

/** Whether a model is a level-1 routing layer or the level-2 integration layer. */
public enum ModelRole {
    ROUTING("routing"),
    INTEGRATION("integration");

    private final String id;

    ModelRole(String id) {
        this.id = id;
    }

    /** The lower-case name used in the manifest. */
    public String id() {
        return id;
    }

    /** Parses a manifest id; returns null for an unknown one so the caller can name the model. */
    static ModelRole fromIdOrNull(String id) {
        for (ModelRole role : values()) {
            if (role.id.equals(id)) {
                return role;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
