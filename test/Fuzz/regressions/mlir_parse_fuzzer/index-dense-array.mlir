
//lement types differ}}
  %r = tfc.conv %x, %w {strides = array<index: 0, 1, 0, 0>}rides = arrayf32>
 urn
}

