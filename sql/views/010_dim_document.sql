CREATE VIEW mart.dim_document AS
SELECT d.document_key,
       d.file_name,
       d.sha256,
       d.title,
       d.publisher,
       d.published_date,
       d.published_precision,
       EXTRACT(YEAR FROM d.published_date)::int AS published_year,
       d.document_kind,
       d.byte_size,
       length(d.content) AS char_length,
       d.content
FROM core.documents d;
COMMENT ON VIEW mart.dim_document IS 'One row per source document; content is the stored text every offset in the database points into.';
COMMENT ON COLUMN mart.dim_document.document_key IS 'Stable document key (from data/corpus/sources.yaml).';
COMMENT ON COLUMN mart.dim_document.file_name IS 'File name in the corpus folder.';
COMMENT ON COLUMN mart.dim_document.sha256 IS 'SHA-256 of the file bytes.';
COMMENT ON COLUMN mart.dim_document.title IS 'Document title.';
COMMENT ON COLUMN mart.dim_document.publisher IS 'Publisher.';
COMMENT ON COLUMN mart.dim_document.published_date IS 'Publication date (first day of month/year when coarser, see published_precision).';
COMMENT ON COLUMN mart.dim_document.published_precision IS 'day, month, year or unknown.';
COMMENT ON COLUMN mart.dim_document.published_year IS 'Publication year.';
COMMENT ON COLUMN mart.dim_document.document_kind IS 'report, news_article, newsletter or article.';
COMMENT ON COLUMN mart.dim_document.byte_size IS 'File size in bytes.';
COMMENT ON COLUMN mart.dim_document.char_length IS 'Length of content in characters.';
COMMENT ON COLUMN mart.dim_document.content IS 'Stored text; substring(content from char_start+1 for char_end-char_start) reproduces any span.';
