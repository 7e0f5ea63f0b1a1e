# Tide: multi-stage build of one static binary (pure-Go SQLite, no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/tidecrm/tide/cli.Version=${VERSION}" -o /out/tide . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tide /usr/local/bin/tide
# The data volume must belong to the non-root user that runs Tide.
COPY --from=build --chown=65532:65532 /out/data /data
ENV TIDE_DATA_DIR=/data TIDE_SERVER_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/usr/local/bin/tide", "health"]
ENTRYPOINT ["/usr/local/bin/tide"]
CMD ["serve"]
