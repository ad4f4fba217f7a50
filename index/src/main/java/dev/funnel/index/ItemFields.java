package dev.funnel.index;

/** Names of the built-in item fields, as filters and {@link ItemStore#attribute} spell them. */
public final class ItemFields {

    public static final String ID = "id";
    public static final String CATEGORY = "category";
    public static final String AUTHOR = "author";
    public static final String TAGS = "tags";
    public static final String STATUS = "status";
    public static final String CREATED = "created";
    public static final String POPULARITY = "popularity";
    public static final String EMBEDDING = "embedding";

    private ItemFields() {
    }

    /** Whether the name is one of the built-in fields. */
    public static boolean isBuiltIn(String field) {
        switch (field) {
            case ID: case CATEGORY: case AUTHOR: case TAGS: case STATUS: case CREATED: case POPULARITY: case EMBEDDING:
                return true;
            default:
                return false;
        }
    }
}
