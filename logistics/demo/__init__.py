"""The Kota Bekasi demo office: a flood along Kali Bekasi with its shelters, stock and aid."""
