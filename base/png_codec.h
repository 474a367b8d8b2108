/* PNG images through libpng: the encoding behind image summaries (8-bit gray, gray+alpha, RGB or
 * RGBA, as TensorFlow's ImageSummary writes them) and the decoding of any PNG an event file holds
 * into 8-bit RGBA for drawing. libpng's errors (its longjmps) stay inside libpng's simplified API
 * and come out here as a status: bad bytes are an error message, never a crash. */
#ifndef TFC_PNG_CODEC_H
#define TFC_PNG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* A decoded image: width x height pixels of 4 bytes (R, G, B, A; not premultiplied), row by row. */
typedef struct {
    int width, height;
    uint8_t *rgba;
} tfc_rgba_image;

/* Encodes height rows of width pixels of `channels` 8-bit samples (1 gray, 2 gray+alpha, 3 RGB,
 * 4 RGBA), rows packed, into a malloc'ed PNG in *png / *len. */
bool tfc_png_encode(const uint8_t *pixels, int width, int height, int channels, unsigned char **png, size_t *len,
                    tfc_status *st);

/* Decodes len bytes of a PNG (any colour type and bit depth) into *out, whose rgba the caller
 * frees (tfc_rgba_image_clear). Images over 64 megapixels are refused before any allocation.
 * Fails with a message saying why ("not a PNG", libpng's complaint) on bad bytes. */
bool tfc_png_decode(const void *png, size_t len, tfc_rgba_image *out, tfc_status *st);

/* Reads only the header: the size of the PNG without decoding it. */
bool tfc_png_size(const void *png, size_t len, int *width, int *height, tfc_status *st);

void tfc_rgba_image_clear(tfc_rgba_image *img);

#endif
