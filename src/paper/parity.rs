//! Reed–Solomon erasure coding across codes (`reed-solomon-simd`: systematic, so the
//! data codes stay the payload's plain chunks): with `p` parity codes, any `p` codes
//! of the printing may be lost.

use std::collections::BTreeMap;

use super::codes::CHUNK;

/// How many parity codes `data` data codes get when at most `per_page` codes stand on
/// one page: about 30 % of them, and never fewer than a page holds, so that any one
/// whole page may be lost (when there is more than one).
pub fn parity_count(data: usize, per_page: usize) -> usize {
    (data * 3).div_ceil(10).max(per_page.min(data)).max(1)
}

/// The parity shards of `chunks` (each padded with zeros to [`CHUNK`] bytes).
pub fn encode(chunks: &[&[u8]], parity: usize) -> Result<Vec<Vec<u8>>, String> {
    let padded = chunks.iter().map(|c| padded(c));
    reed_solomon_simd::encode(chunks.len(), parity, padded).map_err(|e| e.to_string())
}

/// The data shards missing from `data` (by index from 0, padded to [`CHUNK`]), from
/// the parity shards in `parity`. Needs as many shards in all as there are data ones.
pub fn recover(
    data_count: usize,
    parity_count: usize,
    data: &BTreeMap<usize, Vec<u8>>,
    parity: &BTreeMap<usize, Vec<u8>>,
) -> Result<BTreeMap<usize, Vec<u8>>, String> {
    reed_solomon_simd::decode(
        data_count,
        parity_count,
        data.iter().map(|(i, c)| (*i, padded(c))),
        parity.iter().map(|(i, c)| (*i, padded(c))),
    )
    .map_err(|e| e.to_string())
}

fn padded(chunk: &[u8]) -> Vec<u8> {
    let mut v = chunk.to_vec();
    v.resize(CHUNK, 0);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_parity_count_of_losses_is_recovered() {
        let chunks: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; CHUNK]).collect();
        let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
        let p = parity_count(10, 4);
        assert_eq!(p, 4);
        let parity = encode(&refs, p).unwrap();
        let data: BTreeMap<usize, Vec<u8>> = chunks.iter().cloned().enumerate().skip(4).collect();
        let parity: BTreeMap<usize, Vec<u8>> = parity.into_iter().enumerate().collect();
        let back = recover(10, p, &data, &parity).unwrap();
        for i in 0..4 {
            assert_eq!(back[&i], chunks[i]);
        }
    }

    #[test]
    fn parity_covers_a_page_and_30_percent() {
        assert_eq!(parity_count(1, 12), 1);
        assert_eq!(parity_count(5, 12), 5);
        assert_eq!(parity_count(20, 12), 12);
        assert_eq!(parity_count(100, 12), 30);
    }
}
