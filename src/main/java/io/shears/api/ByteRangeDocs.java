package io.shears.api;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The OpenAPI description of what {@link BlobResponses} does with Range and If-Range, for each download endpoint. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Parameter(in = ParameterIn.HEADER, name = "Range", schema = @Schema(type = "string"), example = "bytes=0-1023",
        description = "One or more byte ranges, e.g. bytes=0-1023, bytes=-512 (the last 512) or bytes=0-9,100-109 "
                + "(at most " + RangeSelection.MAX_RANGES + ", not overlapping). An invalid header, another unit, "
                + "more ranges or overlapping ones are ignored: the answer is 200 with the whole content.")
@Parameter(in = ParameterIn.HEADER, name = "If-Range", schema = @Schema(type = "string"),
        description = "Serve the Range only if this is the current ETag; otherwise 200 with the whole content.")
@ApiResponse(responseCode = "206", description = "The requested range, with Content-Range; several ranges come as "
        + "multipart/byteranges, each part with its Content-Type and Content-Range.",
        headers = @Header(name = "Content-Range", description = "bytes first-last/length, for a single range",
                schema = @Schema(type = "string")),
        content = {@Content(mediaType = "*/*", schema = @Schema(type = "string", format = "binary")),
                @Content(mediaType = "multipart/byteranges", schema = @Schema(type = "string", format = "binary"))})
@ApiResponse(responseCode = "416", description = "No requested range selects a byte of the content: an empty body "
        + "and Content-Range: bytes */<length>.",
        headers = @Header(name = "Content-Range", description = "bytes */length", schema = @Schema(type = "string")),
        content = @Content)
@ApiResponse(responseCode = "307", description = "With shears.artifacts.s3.presign, a GET is redirected to a "
        + "presigned URL of the object in the S3 store, valid for shears.artifacts.s3.presign-lifetime; follow it "
        + "without the Authorization header (the URL carries its own signature). HEAD is still answered here.",
        headers = @Header(name = "Location", description = "the presigned URL", schema = @Schema(type = "string")),
        content = @Content)
@interface ByteRangeDocs {
}
