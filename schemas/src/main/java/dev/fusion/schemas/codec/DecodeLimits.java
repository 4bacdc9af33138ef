package dev.fusion.schemas.codec;

/**
 * Upper bounds on what a decoder accepts, so that no declared length can make it allocate more
 * than the configured amount, whatever the bytes say.
 *
 * @param maxMessageBytes largest whole message (header included) accepted
 * @param maxStringBytes largest string or bytes field accepted
 * @param maxCollectionItems largest array or map accepted (items over all blocks)
 */
public record DecodeLimits(int maxMessageBytes, int maxStringBytes, int maxCollectionItems) {

    /** 8 MiB messages, 1 MiB strings, 1 Mi items: far above the project's records, far below a heap. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(8 << 20, 1 << 20, 1 << 20);

    public DecodeLimits {
        if (maxMessageBytes <= 0 || maxStringBytes <= 0 || maxCollectionItems <= 0) {
            throw new IllegalArgumentException(
                    "decode limits must be positive, got maxMessageBytes=" + maxMessageBytes
                            + ", maxStringBytes=" + maxStringBytes
                            + ", maxCollectionItems=" + maxCollectionItems);
        }
    }
}
