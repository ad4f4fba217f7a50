package dev.funnel.index;

/**
 * A cache derived from the catalog (the shared hot and fresh recall lists), registered with
 * {@link ItemIndex#registerView} so that a writer can bring it up to date before it acknowledges a
 * change ({@link ItemIndex#refreshViews}).
 */
public interface CatalogView {

    /**
     * Recomputes the view from the catalog as it is now, if it holds anything yet. Called on a writer
     * thread (never an event loop), possibly by several writers at once; must not make the view older
     * than it is.
     */
    void refresh();
}
