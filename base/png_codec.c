/* PNG encoding and decoding with libpng's simplified API (png_image), which keeps libpng's
 * setjmp/longjmp error handling inside libpng and reports failures in png_image.message. */
#include "png_codec.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PIXELS ((uint64_t)64 << 20)

bool tfc_png_encode(const uint8_t *pixels, int width, int height, int channels, unsigned char **png, size_t *len,
                    tfc_status *st)
{
    static const png_uint_32 formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
    *png = NULL;
    *len = 0;
    if (!pixels || width <= 0 || height <= 0 || channels < 1 || channels > 4)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "PNG encoding: a %dx%d image of %d channels cannot be written",
                        width, height, channels);
    if ((uint64_t)width * (uint64_t)height > MAX_PIXELS)
        return tfc_fail(st, TFC_INVALID_ARGUMENT, "PNG encoding: a %dx%d image is too large", width, height);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)width;
    img.height = (png_uint_32)height;
    img.format = formats[channels];
    /* One pass into a memory stream (png_image_write_to_memory would compress twice to size it). */
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f) return tfc_fail(st, TFC_INTERNAL, "PNG encoding: out of memory");
    int ok = png_image_write_to_stdio(&img, f, 0, pixels, 0, NULL);
    bool closed = fclose(f) == 0;
    if (!ok || !closed) {
        free(buf);
        bool fail = tfc_fail(st, TFC_INTERNAL, "PNG encoding failed: %s", ok ? "out of memory" : img.message);
        png_image_free(&img);
        return fail;
    }
    *png = (unsigned char *)buf;
    *len = size;
    return true;
}

/* Starts reading: fills img's header fields, or fails with why. */
static bool begin_read(png_image *img, const void *png, size_t len, tfc_status *st)
{
    memset(img, 0, sizeof *img);
    img->version = PNG_IMAGE_VERSION;
    if (!png || len < 8 || png_sig_cmp((png_const_bytep)png, 0, 8) != 0)
        return tfc_fail(st, TFC_DATA_LOSS, "not a PNG (%zu bytes without the PNG signature)", len);
    if (!png_image_begin_read_from_memory(img, png, len)) {
        bool fail = tfc_fail(st, TFC_DATA_LOSS, "bad PNG: %s", img->message);
        png_image_free(img);
        return fail;
    }
    return true;
}

bool tfc_png_size(const void *png, size_t len, int *width, int *height, tfc_status *st)
{
    png_image img;
    if (!begin_read(&img, png, len, st)) return false;
    *width = (int)img.width;
    *height = (int)img.height;
    png_image_free(&img);
    return true;
}

bool tfc_png_decode(const void *png, size_t len, tfc_rgba_image *out, tfc_status *st)
{
    memset(out, 0, sizeof *out);
    png_image img;
    if (!begin_read(&img, png, len, st)) return false;
    if ((uint64_t)img.width * img.height > MAX_PIXELS) {
        bool fail = tfc_fail(st, TFC_DATA_LOSS, "PNG of %ux%u pixels is too large to decode", (unsigned)img.width,
                             (unsigned)img.height);
        png_image_free(&img);
        return fail;
    }
    img.format = PNG_FORMAT_RGBA;
    uint8_t *rgba = malloc((size_t)PNG_IMAGE_SIZE(img));
    if (!rgba) {
        png_image_free(&img);
        return tfc_fail(st, TFC_INTERNAL, "out of memory decoding a %ux%u PNG", (unsigned)img.width,
                        (unsigned)img.height);
    }
    if (!png_image_finish_read(&img, NULL, rgba, 0, NULL)) {
        free(rgba);
        bool fail = tfc_fail(st, TFC_DATA_LOSS, "bad PNG: %s", img.message);
        png_image_free(&img);
        return fail;
    }
    out->width = (int)img.width;
    out->height = (int)img.height;
    out->rgba = rgba;
    return true;
}

void tfc_rgba_image_clear(tfc_rgba_image *img)
{
    if (!img) return;
    free(img->rgba);
    memset(img, 0, sizeof *img);
}
